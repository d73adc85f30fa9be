import { readFileSync } from 'node:fs';
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs } from '../../harness/scenario.ts';

interface Entry {
  category: string;
  body: string;
  expect: 'ignored' | 'refused';
  user?: string;
}

const host = useDeployHost();
const RUNBOOK = readFileSync(new URL('../../harness/demo/incident-runbook.yml', import.meta.url), 'utf8');
const CORPUS = JSON.parse(
  readFileSync(new URL('../corpus/hostile-comments.json', import.meta.url), 'utf8'),
) as Entry[];
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

  const mismatches: string[] = [];
  const handled = new Map<string, { tried: number; asSpecified: number }>();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < SAMPLE.length; index = next++) {
      const entry = SAMPLE[index]!;
      const issue = scenario.openIncident(`Corpus ${index}`, 'incident:p1');
      const { commentId, run } = await scenario.comment(issue, entry.user ?? 'alice', entry.body);
      const replies = scenario.actionComments(issue);
      const reactions = emulator.reactionsFor(commentId).map((reaction) => reaction.content);
      const asSpecified =
        entry.expect === 'ignored'
          ? run.outputs.status === 'ignored' && replies.length === 0 && reactions.length === 0
          : run.outputs.status === 'refused' &&
            // One reply for the whole comment, saying what was wrong.
            replies.length === 1 &&
            replies.every((reply) => /^(❓|🚫|⚠️ \*\*Not run:\*\*|⏳)/u.test(reply)) &&
            // Claimed, then refused; or refused whole before any claim (no access, too many commands).
            ['eyes,confused', 'confused'].includes(reactions.join(','));
      const tally = handled.get(entry.category) ?? { tried: 0, asSpecified: 0 };
      handled.set(entry.category, {
        tried: tally.tried + 1,
        asSpecified: tally.asSpecified + (asSpecified ? 1 : 0),
      });
      if (!asSpecified || run.exitCode !== 0) {
        mismatches.push(
          `#${index} ${entry.category} ${JSON.stringify(entry.body.slice(0, 80))}: ${run.outputs.status}/${run.outputs.reason} exit ${run.exitCode}, ${replies.length} replies, reactions ${reactions.join(',')}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  // The proof from the host side: the deploy account's session log did not grow.
  expect((await readCommandLog(host())).length).toBe(sessionsBefore);
  expect(mismatches).toEqual([]);
  expect(emulator.violations).toEqual([]);
  const table = [...handled].map(([category, tally]) => `${category}: ${tally.asSpecified}/${tally.tried}`);
  process.stdout.write(`hostile corpus, handled as specified per category:\n  ${table.join('\n  ')}\n`);
}, 600_000);
