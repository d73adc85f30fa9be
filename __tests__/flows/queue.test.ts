// The queue in process: claims, turns, interruptions and what moved on while a command waited.
import { startInProcessWorkspace, type FakeHost, type FakeSignals } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';

const BOT = 'github-actions[bot]';
const T0 = new Date('2026-11-26T03:00:00Z');

let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;
let signals: FakeSignals;
let issue: number;

const own = (id: number) =>
  emulator
    .reactionsFor(id)
    .filter((reaction) => reaction.user?.login === BOT)
    .map((reaction) => reaction.content)
    .sort();
const replies = () => scenario.actionComments(issue);
const later = (minutes: number) => {
  clock = new Date(T0.getTime() + minutes * 60_000);
};

beforeEach(async () => {
  clock = T0;
  ({ emulator, scenario, host, signals } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', bob: 'maintain', mallory: 'read' },
    clock: () => clock,
  }));
  issue = scenario.openIncident('KB agent answers 503', 'incident:p1');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('commands whose runs never started are handled by the next run, in comment order, each once', async () => {
  scenario.postComment(issue, 'alice', '/logs redis --lines 1');
  scenario.postComment(issue, 'bob', '/logs postgres --lines 2');
  const third = scenario.postComment(issue, 'alice', '/logs slack-kb-agent --lines 3');
  const run = await third.start();
  expect(run.exitCode).toBe(0);
  expect(host.runs.map((r) => /-n '(\d)'/.exec(r.script)?.[1])).toEqual(['1', '2', '3']);
  // A re-run of the same event finds everything handled.
  const rerun = await third.start();
  expect(rerun.outputs.status).toBe('ignored');
  expect(host.runs).toHaveLength(3);
});

test('a claim older than the claim timeout is reported interrupted, never run; what waited behind it is stale', async () => {
  const first = scenario.postComment(issue, 'alice', '/restart');
  const second = scenario.postComment(issue, 'alice', '/status');
  // A run claimed the first and was killed outright: its 👀 stays, nothing else.
  emulator.repo().react(first.commentId, BOT, 'eyes');

  const within = await scenario.sweep();
  expect(within.stdout).toContain(`Comment ${first.commentId} is being handled by another run`);
  expect(host.runs).toEqual([]);

  later(31);
  const run = await second.start();
  expect(run.exitCode).toBe(0);
  const report = replies().find((body) => body.includes('⛔ **Interrupted:**'));
  expect(report).toContain('recorded no outcome within the claim timeout (30 min)');
  expect(own(first.commentId)).toEqual(['confused', 'eyes']);
  expect(own(second.commentId)).toEqual(['confused', 'eyes']);
  expect(replies().at(-1)).toContain('more than 30 minutes before its turn came');
  expect(host.runs).toEqual([]);
});

test('cancelled while a command runs: the issue says so, and the run takes nothing more', async () => {
  scenario.postComment(issue, 'alice', '/restart');
  const after = scenario.postComment(issue, 'alice', '/status');
  let terminated: Promise<void> | undefined;
  host.respond = (script) => {
    if (script.includes('kbctl restart')) terminated = signals.terminate();
    return {};
  };
  const run = await after.start();
  await terminated;
  expect(replies().find((body) => body.includes('⛔ **Interrupted:**'))).toContain(
    'The run handling it was cancelled before the command finished.',
  );
  expect(run.stdout).toContain('asked to stop');
  expect(host.ran('$KB_URL/metrics')).toEqual([]);
  expect(own(after.commentId)).toEqual([]);
});

test('a command edited, deleted or orphaned before its turn does not run', async () => {
  const edited = scenario.postComment(issue, 'alice', '/status');
  later(1);
  emulator.repo().editComment(edited.commentId, '/restart');
  const deleted = scenario.postComment(issue, 'alice', '/restart');
  emulator.repo().deleteComment(deleted.commentId);
  const last = scenario.postComment(issue, 'alice', '/logs redis --lines 4');
  await last.start();
  expect(host.ran('kbctl restart')).toEqual([]);
  expect(replies().some((body) => body.includes('edited'))).toBe(true);
  expect(own(edited.commentId)).toEqual(['confused', 'eyes']);
  expect(host.ran("-n '4'")).toHaveLength(1);
});

test('commands still queued when the incident is closed are answered, not run', async () => {
  const queued = scenario.postComment(issue, 'alice', '/restart');
  emulator.repo().updateIssue(issue, { state: 'closed' }, 'bob');
  const run = await queued.start();
  expect(host.runs).toEqual([]);
  expect(run.outputs.status).not.toBe('success');
});

test('a handled command stripped of the action’s reactions is never run again', async () => {
  const { commentId } = await scenario.comment(issue, 'alice', '/logs redis --lines 5');
  expect(host.runs).toHaveLength(1);
  for (const content of ['eyes', '+1'] as const) emulator.repo().unreact(commentId, BOT, content);
  await scenario.comment(issue, 'alice', '/logs postgres --lines 6');
  expect(host.ran("-n '5'")).toHaveLength(1);
  expect(host.ran("-n '6'")).toHaveLength(1);
});

test('a reader’s read-only command waits for no one and delays no responder', async () => {
  scenario.postComment(issue, 'mallory', '/timeline');
  const responder = scenario.postComment(issue, 'alice', '/logs redis --lines 7');
  await responder.start();
  expect(host.ran("-n '7'")).toHaveLength(1);
  // The reader's command is answered in the same run, after the responder's.
  expect(replies().some((body) => body.startsWith('### Timeline so far'))).toBe(true);
});

test('a flood of outsiders’ comments costs one notice each and never reaches the host', async () => {
  for (const user of ['eve1', 'eve2', 'eve3']) {
    for (let n = 0; n < 4; n += 1) scenario.postComment(issue, user, '/restart\n/rollback v1.0.0');
  }
  const mine = scenario.postComment(issue, 'alice', '/logs redis --lines 8');
  await mine.start();
  expect(host.ran("-n '8'")).toHaveLength(1);
  expect(host.ran('kbctl restart')).toEqual([]);
  // Outsiders get at most one notice each per incident.
  expect(replies().filter((body) => /@eve\d/.test(body)).length).toBeLessThanOrEqual(3);
});
