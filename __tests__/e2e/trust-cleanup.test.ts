// A cancelled or killed run leaves nothing behind: no private key, known_hosts or ssh log in
// RUNNER_TEMP, no multiplexing socket anywhere, no master connection alive. The runner's own
// sequence is played (SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that), then the action's
// `post:` step, as the runner runs it for a cancelled job.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { cancelLikeRunner, type ActionRun } from '../../harness/run-action.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();

const RUNBOOK = `version: 1
service: cleanup checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  long:
    description: Outlives the runner's patience
    timeout: 60s
    steps:
      - name: Wait
        run: echo cleanup-long-started; sleep 40
`;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write' },
    inputs: sshInputs(host()),
  }));
  issue = scenario.openIssue('Cleanup', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

/** Local processes whose command line names `path` (an ssh master keeps its ControlPath there). */
function processesNaming(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(path)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const ourTempFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('iop-'));

/** Starts /long and stops the run the given way once the host is running the command. */
async function stopWhileRunning(stop: (child: ChildProcess) => Promise<void>): Promise<ActionRun> {
  const before = (await readCommandLog(host())).length;
  const posted = scenario.postComment(issue, 'alice', '/long');
  let stopping: Promise<void> | undefined;
  const run = await posted.start({
    onSpawn: (child) => {
      stopping = (async () => {
        for (let look = 0; look < 200; look += 1) {
          const started = (await readCommandLog(host()))
            .slice(before)
            .some((e) => e.command?.includes('cleanup-long'));
          if (started) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await stop(child);
      })();
    },
  });
  await stopping;
  return run;
}

test('cancelled as the runner cancels: the run reports, removes its key and socket, and ends its master', async () => {
  const tempBefore = ourTempFolders();
  const run = await stopWhileRunning(cancelLikeRunner);
  expect(run.exitCode).not.toBe(0);
  expect(scenario.actionComments(issue).some((body) => body.includes('⛔ **Interrupted:**'))).toBe(true);
  // SIGTERM's handler removed everything before the runner's SIGKILL could come.
  expect(run.runnerTempAfterMain).toEqual([]);
  expect(run.runnerTempAfter).toEqual([]);
  expect(processesNaming(run.runnerTemp)).toEqual([]);
  expect(ourTempFolders()).toEqual(tempBefore);
}, 120_000);

test('killed outright: the post step removes what the main step could not, and ends the master', async () => {
  const run = await stopWhileRunning(async (child) => {
    child.kill('SIGKILL');
  });
  // The main step had no chance: its folder was still there when it died …
  expect(run.runnerTempAfterMain.some((name) => name.startsWith('incident-ssh-'))).toBe(true);
  expect(JSON.parse(run.state['ssh-workdirs'] ?? '[]')).toHaveLength(1);
  // … and the post step removed it and the master connection it kept alive.
  expect(run.post?.exitCode).toBe(0);
  expect(run.post?.stdout).toContain('Cleaned up 1 SSH folder(s) left by the main step.');
  expect(run.runnerTempAfter).toEqual([]);
  expect(processesNaming(run.runnerTemp)).toEqual([]);
}, 120_000);

test('a normal run leaves nothing either, and its post step finds nothing to do', async () => {
  const posted = scenario.postComment(issue, 'alice', '/help');
  const run = await posted.start();
  expect(run.exitCode).toBe(0);
  expect(run.runnerTempAfterMain).toEqual([]);
  expect(run.post?.stdout).toContain('Nothing to clean up.');
});
