import { readFileSync } from 'node:fs';
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs } from '../../harness/scenario.ts';
import { CORPUS, CorpusTally } from '../cases/hostile-corpus.ts';

const host = useDeployHost();
const RUNBOOK = readFileSync(new URL('../../harness/deploy/incident-runbook.yml', import.meta.url), 'utf8');
const PARALLEL = 3;
// The whole corpus runs in process (__tests__/flows/hostile-corpus.test.ts); through the bundle and
// the real sshd, one comment of each category proves that what the unit run shows is what ships.
const SAMPLE = CORPUS.filter(
  (entry, index) => CORPUS.findIndex((other) => other.category === entry.category) === index,
);

let emulator: GitHubEmulator;

afterAll(async () => {
  await emulator?.close();
});

test(`one hostile comment of each of the corpus's categories through the bundle: each gets its treatment, and nothing runs on the host`, async () => {
  expect(SAMPLE.length).toBeGreaterThanOrEqual(10);
  emulator = await startEmulator();
  emulator.putFile('.github/incident-runbook.yml', RUNBOOK);
  emulator.setPermission('alice', 'write');
  const scenario = new IncidentScenario({ emulator, inputs: sshInputs(host()) });
  const sessionsBefore = (await readCommandLog(host())).length;

  const tally = new CorpusTally();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < SAMPLE.length; index = next++) {
      await tally.check(scenario, emulator, SAMPLE[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  // The proof from the host side: the deploy account's session log did not grow.
  expect((await readCommandLog(host())).length).toBe(sessionsBefore);
  expect(tally.mismatches).toEqual([]);
  expect(emulator.violations).toEqual([]);
  const table = [...tally.handled].map(
    ([category, counts]) => `${category}: ${counts.asSpecified}/${counts.tried}`,
  );
  process.stdout.write(`hostile corpus, handled as specified per category:\n  ${table.join('\n  ')}\n`);
}, 600_000);
