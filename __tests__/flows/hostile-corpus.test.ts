// The whole hostile corpus through the action's own routing, extraction, binding and decisions, in
// this process, against the emulator: each comment gets its treatment and nothing reaches the host.
// The end-to-end project sends one comment per category through the bundle to a real sshd.
import { readFileSync } from 'node:fs';
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { CORPUS, CorpusTally } from '../cases/hostile-corpus.ts';

const RUNBOOK = readFileSync(new URL('../../harness/deploy/incident-runbook.yml', import.meta.url), 'utf8');

let emulator: GitHubEmulator | undefined;
afterAll(async () => {
  await emulator?.close();
});

test(`${CORPUS.length} hostile comments in process: each gets its treatment, and no script is handed to the host`, async () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(300);
  const workspace = await startInProcessWorkspace({ runbook: RUNBOOK, roles: { alice: 'write' } });
  emulator = workspace.emulator;
  const { scenario, host } = workspace;

  const tally = new CorpusTally();
  for (const [index, entry] of CORPUS.entries()) await tally.check(scenario, emulator, entry, index);

  expect(host.runs.map((run) => run.script)).toEqual([]);
  expect(tally.mismatches).toEqual([]);
  expect(emulator.violations).toEqual([]);
  expect(tally.handled.size).toBeGreaterThanOrEqual(10);
}, 300_000);
