import { readFileSync } from 'node:fs';
import { readCommandLog, ssh, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();

/** A runbook of commands that exercise the executor itself. */
const RUNBOOK = `version: 1
service: executor checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  hang:
    description: Sleeps far longer than its timeout
    timeout: 3s
    steps:
      - name: Sleep
        run: sleep 300 & echo "started $$ child $!"; wait; echo never
      - name: After
        run: echo should not run
  leak:
    description: Prints credentials the way a misconfigured service would
    steps:
      - name: Print environment
        run: |
          echo "SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx"
          echo "DATABASE_URL=postgresql://kb:correct-horse-battery@db:5432/kb"
          echo "GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789"
          echo "ok"
  flood:
    description: Writes 8 MB of output
    steps:
      - name: Flood
        run: printf 'START-OF-FLOOD\\n'; head -c 8000000 /dev/zero | tr -c x x | fold -w 100; echo; echo END-OF-FLOOD
  whoami:
    description: Who and where
    steps:
      - name: whoami
        run: whoami
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
  issue = scenario.openIncident('Executor checks', 'incident:p1');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('a command that outlives its timeout is killed on the host, and later steps do not run', async () => {
  const { run } = await scenario.comment(issue, 'alice', '/hang');
  expect(run.outputs).toMatchObject({ status: 'failure', reason: 'timeout', 'exit-code': '124' });
  const result = scenario.actionComments(issue).at(-1) ?? '';
  expect(result).toContain('### ⏱️ Timed out: `/hang`');
  expect(result).toContain('“Sleep” timed out');
  expect(result).toContain('- ⏭️ After (not run)');
  // The shell and its child, by pid, and each only if it still is that process (pids wrap).
  const [, shell, child] = /started (\d+) child (\d+)/.exec(result) ?? [];
  expect(shell).toBeDefined();
  expect(child).toBeDefined();
  const stillThere = async () =>
    (
      await ssh(
        host(),
        `for pid in ${shell} ${child}; do tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -E '^(sleep 300|bash -eo pipefail)' || true; done`,
      )
    ).stdout.trim();
  // `timeout` signals the whole process group; allow the host a moment to deliver it and reap.
  let left = await stillThere();
  for (let look = 0; left !== '' && look < 10; look += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = await stillThere();
  }
  expect(left).toBe('');
});

test('credentials printed on the host never reach the comment, the summary or the log', async () => {
  const { run } = await scenario.comment(issue, 'alice', '/leak');
  expect(run.outputs.status).toBe('success');
  const everything = [
    ...scenario.actionComments(issue),
    run.summary,
    run.stdout,
    run.stderr,
    JSON.stringify(run.outputs),
  ].join('\n');
  for (const secret of [
    'abcdefghijklmnopqrstuvwx',
    'correct-horse-battery',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  ]) {
    expect(everything).not.toContain(secret);
  }
  const result = scenario.actionComments(issue).at(-1) ?? '';
  expect(result).toContain('DATABASE_URL=postgresql://kb:***@db:5432/kb');
  expect(result).toContain('SLACK_BOT_TOKEN=***Slack token redacted***');
});

test('the private key is written to RUNNER_TEMP only for the run and never appears anywhere', async () => {
  const { run } = await scenario.comment(issue, 'alice', '/whoami');
  expect(run.outputs.status).toBe('success');
  expect(run.runnerTempAfter).toEqual([]);
  const keyLine = host().privateKey.split('\n')[1] ?? '';
  expect(keyLine.length).toBeGreaterThan(20);
  expect(run.masks.some((mask) => mask.includes(keyLine))).toBe(true);
  // What the runner shows: its log without the ::add-mask:: commands it consumes.
  const shownLog = run.stdout.replace(/^::add-mask::.*$/gm, '');
  expect([shownLog, run.summary, ...scenario.actionComments(issue)].join('\n')).not.toContain(keyLine);
});

test('an output flood keeps head and tail within GitHub’s comment limit', async () => {
  const { run } = await scenario.comment(issue, 'alice', '/flood');
  expect(run.outputs.status).toBe('success');
  const result = scenario.actionComments(issue).at(-1) ?? '';
  expect(result.length).toBeLessThanOrEqual(65_536);
  expect(result).toContain('START-OF-FLOOD');
  expect(result).toContain('END-OF-FLOOD');
  expect(result).toMatch(/bytes of output/);
});

test('several commands in one comment run in order; the lines that cannot run get one reply', async () => {
  const sessions = (await readCommandLog(host())).length;
  const { commentId, run } = await scenario.comment(issue, 'alice', '/whoami\n/frobnicate\n/whoami', {
    'max-commands': '3',
  });
  expect(run.outputs.status).toBe('refused');
  const comments = scenario.actionComments(issue);
  expect(comments.at(-3)).toContain('### ✅ Succeeded: `/whoami`');
  expect(comments.at(-2)).toContain('### ✅ Succeeded: `/whoami`');
  expect(comments.at(-1)).toContain('`/frobnicate` is not a command in this runbook');
  expect((await readCommandLog(host())).length - sessions).toBe(2);
  expect(emulator.reactionsFor(commentId).map((reaction) => reaction.content)).toEqual(['eyes', 'confused']);

  const replies = scenario.actionComments(issue).length;
  const tooMany = await scenario.comment(issue, 'alice', '/whoami\n/whoami\n/whoami\n/whoami', {
    'max-commands': '3',
  });
  expect(tooMany.run.outputs).toMatchObject({ status: 'refused', reason: 'too-many-commands' });
  expect(scenario.actionComments(issue)).toHaveLength(replies + 1);
  expect(scenario.actionComments(issue).at(-1)).toContain('holds 4 commands; at most 3 run from one comment');
  expect((await readCommandLog(host())).length - sessions).toBe(2);
});

test('a jump host is used with the same strict host key checks', async () => {
  const state = host();
  const accepted = () => (readFileSync(state.logs.sshd, 'utf8').match(/Accepted publickey/g) ?? []).length;
  const before = accepted();
  const { run } = await scenario.comment(issue, 'alice', '/whoami', {
    'ssh-jump-host': `${state.sshUser}@127.0.0.1:${state.sshPort}`,
  });
  expect(run.outputs.status).toBe('success');
  expect(scenario.actionComments(issue).at(-1)).toContain(state.sshUser);
  expect(accepted() - before).toBe(2);
});
