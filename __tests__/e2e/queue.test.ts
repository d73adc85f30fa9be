import type { ChildProcess } from 'node:child_process';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { onHost as runOnHost, readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import { cancelLikeRunner, type ActionRun } from '../../harness/run-action.ts';
import {
  STANDIN_RUNBOOK,
  IncidentScenario,
  sshInputs,
  startIncidentWorkspace,
} from '../../harness/scenario.ts';

// The issue is the queue: however GitHub schedules, cancels or repeats the workflow runs, every
// command comment runs once, in comment order. "Ran" is read on the host, never from the action.

const host = useDeployHost();
const BOT = 'github-actions[bot]';

/** The demo runbook plus two commands that leave a trace on the host: a numbered tick, a slow one. */
const RUNBOOK = STANDIN_RUNBOOK.replace(
  /^commands:\n/m,
  `commands:
  tick:
    description: Appends a numbered line to the host's tick log
    permission: triage
    timeout: 30s
    args:
      - name: n
        type: integer
        description: The number to write
        required: true
        min: 1
        max: 100000
    steps:
      - name: Tick
        run: echo tick {{ n }} | tee -a "$KB_HOME/ticks.log"
  slow-restart:
    description: A restart that takes a while (writes its start and end on the host)
    permission: write
    destructive: true
    timeout: 2m
    steps:
      - name: Restart slowly
        run: echo "start" >> "$KB_HOME/slow.log"; sleep 20; echo "end" >> "$KB_HOME/slow.log"
`,
);

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

const onHost = (command: string) => runOnHost(host(), command);

/** The ticks the host recorded, in the order it ran them. */
async function ticks(): Promise<number[]> {
  const text = await onHost('cat "$KB_HOME/ticks.log" 2>/dev/null || true');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.replace('tick ', '')));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const ownReactions = (commentId: number) =>
  emulator
    .reactionsFor(commentId)
    .filter((reaction) => reaction.user?.login === BOT)
    .map((reaction) => reaction.content)
    .sort();

/**
 * true when the run's log shows one of `texts` (its stdout is read as it comes), false when the
 * run ended first.
 */
function whenLogged(child: ChildProcess, ...texts: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (texts.some((text) => seen.includes(text))) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
}

beforeEach(async () => {
  await onHost('rm -f "$KB_HOME/ticks.log" "$KB_HOME/slow.log"');
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write', bob: 'maintain' },
    inputs: sshInputs(host()),
  }));
  issue = scenario.openIncident('KB agent answers 503', 'incident:p1');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('the issue is the queue', () => {
  test('50 commands posted within a second, with overlapping, cancelled and never-started runs: 50 executions, each once, in order', async () => {
    // Without the spacing GitHub asks of writes, runs race each other hardest (faults.test.ts keeps
    // GitHub's real pacing).
    const sessionsBefore = (await readCommandLog(host())).length;
    const started = performance.now();
    const posted = range(1, 50).map((n) =>
      scenario.postComment(issue, n % 2 ? 'alice' : 'bob', `/tick ${n}`),
    );
    const postingMs = performance.now() - started;
    expect(postingMs).toBeLessThan(1000);

    // GitHub keeps one pending run per concurrency group and cancels the rest; without a group, runs
    // overlap. Here: three runs start together, two more join later, one of them is cancelled as
    // the runner cancels (SIGINT, SIGTERM, kill), and the last comment's run starts last. The 44
    // other comments never get a run of their own.
    const runs: Promise<ActionRun>[] = [];
    let cancelled: Promise<void> | undefined;
    const cancelling: Promise<void>[] = [];
    const start = (index: number, onSpawn?: (child: ChildProcess) => void) =>
      runs.push(posted[index]!.start({ timeoutMs: 540_000, ...(onSpawn ? { onSpawn } : {}) }));
    // Of the three that start together, the first that holds a command (it finishes that one and
    // stops) or waits its turn is cancelled: which one that is depends on how the race goes.
    const cancelFirstBusy = (child: ChildProcess) => {
      cancelling.push(
        whenLogged(child, 'Claimed comment', 'waits its turn').then(async (busy) => {
          if (!busy || cancelled) return;
          cancelled = cancelLikeRunner(child);
          await cancelled;
        }),
      );
    };
    start(0, cancelFirstBusy);
    start(1, cancelFirstBusy);
    start(2, cancelFirstBusy);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    start(16);
    start(32);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    start(49);
    const finished = await Promise.all(runs);
    await Promise.all(cancelling);
    expect(cancelled).toBeDefined();
    const drainedMs = performance.now() - started;

    expect(await ticks()).toEqual(range(1, 50));
    const sessions = (await readCommandLog(host())).slice(sessionsBefore);
    const tickSessions = sessions.filter((entry) => entry.command?.includes('tick '));
    expect(tickSessions).toHaveLength(50);
    for (const { commentId } of posted) expect(ownReactions(commentId)).toEqual(['+1', 'eyes']);
    // One result comment per command, none twice.
    const results = scenario
      .actionComments(issue)
      .map((body) => /Succeeded: `\/tick n=(\d+)`/.exec(body)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(results).toEqual(range(1, 50));
    // Every run but the cancelled one ended cleanly.
    expect(finished.filter((run) => run.exitCode === 0).length).toBeGreaterThanOrEqual(5);
    expect(finished.some((run) => run.stdout.includes('SIGINT: the run was cancelled'))).toBe(true);
    const claimsLost = finished.reduce(
      (sum, run) => sum + (run.stdout.match(/was claimed by another run first/g)?.length ?? 0),
      0,
    );
    console.log(
      `burst: 50 comments posted in ${postingMs.toFixed(1)} ms; all executed in ${(drainedMs / 1000).toFixed(0)} s; ` +
        `${finished.length} runs (exit codes ${finished.map((run) => run.exitCode).join(' ')}); ` +
        `${claimsLost} claims lost to another run`,
    );
  }, 600_000);

  test('a repeated event (a re-run) and a comment without a run are handled once, by whichever run comes next', async () => {
    const first = scenario.postComment(issue, 'alice', '/tick 1');
    const second = scenario.postComment(issue, 'alice', '/tick 2'); // its run is never started
    const run1 = await first.start();
    expect(run1.exitCode).toBe(0);
    const rerun = await first.start(); // "Re-run job" replays the same event
    expect(rerun.outputs.status).toBe('ignored');
    expect(await ticks()).toEqual([1, 2]);
    expect(ownReactions(second.commentId)).toEqual(['+1', 'eyes']);
  }, 120_000);

  test('a run cancelled in the middle of a command reports it interrupted; the next run goes on and never runs it again', async () => {
    const slow = scenario.postComment(issue, 'bob', '/slow-restart');
    const held = await slow.start();
    expect(held.outputs.reason).toBe('awaiting-confirmation');
    const code = /\/confirm ([0-9a-f]{8})/.exec(scenario.actionComments(issue).at(-1) ?? '')?.[1] ?? '';
    const confirm = scenario.postComment(issue, 'bob', `/confirm ${code}`);
    const after = scenario.postComment(issue, 'alice', '/tick 7');

    let cancelling: Promise<void> | undefined;
    const cancelledRun = await confirm.start({
      onSpawn: (child) => {
        cancelling = whenLogged(child, 'Claimed comment').then(async () => {
          await new Promise((resolve) => setTimeout(resolve, 3000)); // the restart is running now
          await cancelLikeRunner(child);
        });
      },
    });
    await cancelling;
    expect(cancelledRun.exitCode).not.toBe(0);
    expect(await onHost('cat "$KB_HOME/slow.log"')).toBe('start');
    const report = scenario.actionComments(issue).find((body) => body.includes('⛔ **Interrupted:**'));
    expect(report).toContain(`/confirm ${code}`);
    expect(report).toContain('The run handling it was cancelled before the command finished.');
    expect(report).toContain('**It is not run again automatically.**');
    expect(ownReactions(confirm.commentId)).toEqual(['confused', 'eyes']);

    // The next run (here: the one for /tick 7) takes the queue from there.
    const next = await after.start();
    expect(next.exitCode).toBe(0);
    expect(await ticks()).toEqual([7]);
    // The confirmation code was spent: posting it again is refused, and nothing restarts.
    const again = await scenario.comment(issue, 'bob', `/confirm ${code}`);
    expect(again.run.outputs.status).toBe('refused');
    const restarts = (await readCommandLog(host())).filter((entry) => entry.command?.includes('sleep 20'));
    expect(restarts).toHaveLength(1);
  }, 180_000);

  test('a run killed outright leaves its claim; after the claim timeout the next run reports it interrupted, and what waited behind it is stale', async () => {
    const first = scenario.postComment(issue, 'alice', '/tick 1');
    const second = scenario.postComment(issue, 'alice', '/tick 2');
    const killed = await first.start({
      onSpawn: (child) => {
        void whenLogged(child, 'Claimed comment').then(() => child.kill('SIGKILL'));
      },
    });
    expect(killed.exitCode).not.toBe(0);
    expect(ownReactions(first.commentId)).toEqual(['eyes']);

    // Within the claim timeout, the scheduled sweep leaves the claimed command alone.
    const sweep = await scenario.sweep();
    expect(sweep.stdout).toContain(`Comment ${first.commentId} is being handled by another run`);
    expect(await ticks()).not.toContain(2);
    // Past the timeout (the clock moves 31 minutes on), the claim is reported and the queue moves.
    const later = new Date(Date.now() + 31 * 60_000).toISOString();
    const run = await second.start({ env: { INCIDENT_ISSUEOPS_NOW: later } });
    expect(run.exitCode).toBe(0);
    const report = scenario.actionComments(issue).find((body) => body.includes('⛔ **Interrupted:**'));
    expect(report).toContain('recorded no outcome within the claim timeout (30 min)');
    expect(ownReactions(first.commentId)).toEqual(['confused', 'eyes']);
    // The command that waited behind it all that time is not run by itself either: it is stale.
    expect(ownReactions(second.commentId)).toEqual(['confused', 'eyes']);
    expect(scenario.actionComments(issue).at(-1)).toContain('more than 30 minutes before its turn came');
    const ticked = await ticks();
    expect(ticked).not.toContain(2);
    expect(ticked.filter((n) => n === 1).length).toBeLessThanOrEqual(1);
  }, 180_000);

  test('commands still queued when the incident is closed by hand are answered, not run', async () => {
    const queued = scenario.postComment(issue, 'alice', '/tick 3'); // its run never started
    const closed = await scenario.close(issue, 'bob');
    expect(closed.exitCode).toBe(0);
    const reply = scenario.actionComments(issue).find((body) => body.includes('⏹️ **Not run:**'));
    expect(reply).toContain('`/tick 3`');
    expect(reply).toContain('Nothing was executed.');
    expect(ownReactions(queued.commentId)).toEqual(['confused', 'eyes']);
    expect(await ticks()).toEqual([]);
  }, 60_000);
});
