// The whole hostile corpus through the action's own routing, extraction, binding and decisions, in
// this process, against the emulator: each comment gets its treatment and nothing reaches the host.
// The end-to-end project sends one comment per category through the bundle to a real sshd.
import { readFileSync } from 'node:fs';
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';

interface Entry {
  category: string;
  body: string;
  expect: 'ignored' | 'refused';
  user?: string;
}

const RUNBOOK = readFileSync(new URL('../../harness/demo/incident-runbook.yml', import.meta.url), 'utf8');
const CORPUS = JSON.parse(
  readFileSync(new URL('../corpus/hostile-comments.json', import.meta.url), 'utf8'),
) as Entry[];

let emulator: GitHubEmulator | undefined;
afterAll(async () => {
  await emulator?.close();
});

test(`${CORPUS.length} hostile comments in process: each gets its treatment, and no script is handed to the host`, async () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(300);
  const workspace = await startInProcessWorkspace({ runbook: RUNBOOK, roles: { alice: 'write' } });
  emulator = workspace.emulator;
  const { scenario, host } = workspace;

  const mismatches: string[] = [];
  const handled = new Map<string, { tried: number; asSpecified: number }>();
  for (const [index, entry] of CORPUS.entries()) {
    const issue = scenario.openIncident(`Corpus ${index}`, 'incident:p1');
    const { commentId, run } = await scenario.comment(issue, entry.user ?? 'alice', entry.body);
    const replies = scenario.actionComments(issue);
    const reactions = emulator.reactionsFor(commentId).map((reaction) => reaction.content);
    const asSpecified =
      entry.expect === 'ignored'
        ? run.outputs.status === 'ignored' && replies.length === 0 && reactions.length === 0
        : run.outputs.status === 'refused' &&
          replies.length === 1 &&
          replies.every((reply) => /^(❓|🚫|⚠️ \*\*Not run:\*\*|⏳)/u.test(reply)) &&
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

  expect(host.runs.map((run) => run.script)).toEqual([]);
  expect(mismatches).toEqual([]);
  expect(emulator.violations).toEqual([]);
  expect(handled.size).toBeGreaterThanOrEqual(10);
}, 300_000);
