// The queue under attack from people who can edit, delete, re-run and relabel: a command that was
// handled never runs again, a refused one never runs later, a deleted one stops nothing behind it,
// an edit at its turn is seen, and an incident opened by another workflow's token takes commands.
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();
const BOT = 'github-actions[bot]';
const T0 = new Date('2026-11-26T03:00:00Z');

const RUNBOOK = `version: 1
service: queue checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  purge:
    description: Admin only
    permission: admin
    steps:
      - name: Purge
        run: echo queue-purge
  restart:
    description: Restart
    permission: write
    steps:
      - name: Restart
        run: echo queue-restart
  slow:
    description: Takes a while
    permission: write
    steps:
      - name: Slow
        run: sleep 4; echo queue-slow
`;

let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;
let sessionsBefore = 0;

const minutes = (n: number) => {
  clock = new Date(T0.getTime() + n * 60_000);
};
const ran = async (word: string) =>
  (await readCommandLog(host())).slice(sessionsBefore).filter((entry) => entry.command?.includes(word))
    .length;
const stripReactions = (commentId: number) => {
  for (const content of ['eyes', '+1', '-1', 'confused', 'rocket'] as const)
    emulator.repo().unreact(commentId, BOT, content);
};
const resultsOf = (commentId: number) =>
  emulator
    .listComments(issue)
    .filter(
      (comment) => comment.user?.login === BOT && (comment.body ?? '').includes(`"source":${commentId}`),
    );

beforeEach(async () => {
  clock = T0;
  sessionsBefore = (await readCommandLog(host())).length;
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { admin: 'admin', alice: 'write', tina: 'triage' },
    inputs: sshInputs(host()),
    clock: () => clock,
  }));
  issue = scenario.openIssue('Queue', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('a handled command never runs again', () => {
  test('its reactions stripped by another workflow: its answer on record keeps it handled', async () => {
    const asked = await scenario.comment(issue, 'admin', '/purge');
    expect(await ran('queue-purge')).toBe(1);
    stripReactions(asked.commentId);
    minutes(1);
    await scenario.comment(issue, 'alice', 'any news?');
    await scenario.sweep();
    expect(await ran('queue-purge')).toBe(1);
  });

  test('its reactions stripped and its result deleted: past claim-timeout it is never run again', async () => {
    const asked = await scenario.comment(issue, 'admin', '/purge');
    stripReactions(asked.commentId);
    for (const result of resultsOf(asked.commentId)) emulator.repo().deleteComment(result.id);
    minutes(31);
    const { run } = await scenario.comment(issue, 'alice', 'any news?');
    expect(await ran('queue-purge')).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'stale' });
    expect(scenario.actionComments(issue).at(-1)).toContain('more than 30 minutes before its turn came');
  });

  test('a re-run of the job of an old comment whose reactions were stripped runs nothing', async () => {
    const first = scenario.postComment(issue, 'admin', '/purge');
    await first.start();
    await scenario.comment(issue, 'alice', '/restart');
    stripReactions(first.commentId);
    await first.start({ env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect(await ran('queue-purge')).toBe(1);
  });
});

test('a comment refused whole stays refused when its author is later allowed', async () => {
  const refused = await scenario.comment(issue, 'tina', '/restart');
  expect(refused.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
  const second = await scenario.comment(issue, 'tina', '/restart');
  expect(emulator.reactionsFor(second.commentId).map((reaction) => reaction.content)).toEqual(['confused']);
  emulator.setPermission('tina', 'write');
  await scenario.comment(issue, 'alice', 'tina can run commands now');
  expect(await ran('queue-restart')).toBe(0);
  const allowed = await scenario.comment(issue, 'tina', '/restart');
  expect(allowed.run.outputs).toMatchObject({ status: 'success', command: 'restart' });
  expect(await ran('queue-restart')).toBe(1);
});

test('a queued comment deleted before its turn stops nothing behind it', async () => {
  const gone = scenario.postComment(issue, 'alice', '/restart');
  const behind = scenario.postComment(issue, 'admin', '/purge');
  // Deleted after this run listed the comments: GitHub answers the claim with 404.
  emulator.inject({
    operationId: 'reactions/create-for-issue-comment',
    path: new RegExp(`/comments/${gone.commentId}/reactions$`),
    kind: 'status',
    status: 404,
    times: 5,
  });
  const run = await behind.start();
  expect(run.exitCode).toBe(0);
  expect(await ran('queue-purge')).toBe(1);
  expect(await ran('queue-restart')).toBe(0);
  emulator.clearFaults();
});

test('a comment edited while the command before it runs is not run as first posted', async () => {
  const slow = scenario.postComment(issue, 'alice', '/slow');
  const next = scenario.postComment(issue, 'alice', '/restart');
  const running = slow.start();
  for (let look = 0; look < 100 && (await ran('queue-slow')) === 0; look += 1)
    await new Promise((resolve) => setTimeout(resolve, 100));
  minutes(1);
  emulator.repo().editComment(next.commentId, 'never mind, do NOT restart');
  await running;
  expect(await ran('queue-restart')).toBe(0);
  expect(
    scenario.actionComments(issue).some((body) => body.includes('was edited before its turn came')),
  ).toBe(true);
});

test('an incident opened and labelled by another workflow’s token takes commands', async () => {
  const opened = scenario.openIssue('From an alert', BOT);
  await scenario.label(opened, 'incident:p1', BOT);
  expect(scenario.board(opened)).toContain('P1 — High');
  const { run } = await scenario.comment(opened, 'alice', '/restart');
  expect(run.outputs).toMatchObject({ status: 'success', command: 'restart' });
  expect(await ran('queue-restart')).toBe(1);
});
