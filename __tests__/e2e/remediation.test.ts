import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { onHost as runOnHost, readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import {
  STANDIN_RUNBOOK,
  IncidentScenario,
  sshInputs,
  startIncidentWorkspace,
} from '../../harness/scenario.ts';

const host = useDeployHost();

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

const onHost = (command: string) => runOnHost(host(), command);

const appPid = () => onHost('kbctl pid slack-kb-agent');
const health = async () =>
  JSON.parse(await onHost('curl -fsS "$KB_URL/health"')) as { version: string; status: string };
const sessionsSoFar = async () => (await readCommandLog(host())).length;

/** The action's comments posted since `count` comments ago. */
const lastComments = (count: number) => scenario.actionComments(issue).slice(-count);

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', mallory: 'read', dana: 'maintain' },
    inputs: sshInputs(host()),
  }));
  issue = scenario.openIncident('KB agent answers 503', 'incident:p0');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

afterAll(async () => {
  // Leave the shared host as the suite found it.
  await onHost('cd "$KB_HOME" && ln -sfn releases/v1.2.0 current && kbctl restart slack-kb-agent >/dev/null');
  await onHost('curl -fsS -X POST "$KB_URL/admin/fault?mode=clear" >/dev/null');
});

describe('remediation over SSH, end to end', () => {
  test('/restart restarts the app (its PID changes) and reports the health check that follows', async () => {
    const before = await appPid();
    const { commentId, run } = await scenario.comment(issue, 'alice', '/restart');
    const after = await appPid();

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      status: 'success',
      reason: 'executed',
      command: 'restart',
      'exit-code': '0',
    });
    expect(after).not.toBe(before);
    const [result] = lastComments(1);
    expect(result).toContain('### ✅ Succeeded: `/restart`');
    expect(result).toContain(`pid before: ${before}`);
    expect(result).toContain(`pid after: ${after}`);
    expect(result).toMatch(/✅ Check: Health check \(exit 0/);
    expect(result).toContain('"status":"ok"');
    expect(result).toContain(` | \`${host().sshUser}@127.0.0.1:${host().sshPort}\` (default) | `);
    expect(emulator.reactionsFor(commentId).map((r) => r.content)).toEqual(['eyes', '+1']);
    expect(run.runnerTempAfter).toEqual([]);
  });

  test('/rollback to an earlier release waits for /confirm, then /health reports that version', async () => {
    const sessions = await sessionsSoFar();
    const asked = await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    expect(asked.run.outputs).toMatchObject({ status: 'planned', reason: 'awaiting-confirmation' });
    expect(await sessionsSoFar()).toBe(sessions);
    const [plan] = lastComments(1);
    expect(plan).toContain("ln -sfn releases/'v1.1.0' current.next");
    const code = /\/confirm ([0-9a-f]{8})/.exec(plan ?? '')?.[1];
    expect(code).toBeDefined();

    const confirmed = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(confirmed.run.outputs).toMatchObject({ status: 'success', command: 'rollback' });
    expect((await health()).version).toBe('v1.1.0');
    const [result] = lastComments(1);
    expect(result).toContain('"version":"v1.1.0"');
    expect(result).toContain('| @alice, confirmed by @dana in [this comment]');

    const again = await scenario.comment(issue, 'alice', `/confirm ${code}`);
    expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(lastComments(1)[0]).toContain('already used by @dana');
  });

  test('a malformed tag is refused before any SSH connection is opened', async () => {
    const sessions = await sessionsSoFar();
    const { run } = await scenario.comment(issue, 'alice', '/rollback v1.1.0;reboot');
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'invalid-command' });
    expect(await sessionsSoFar()).toBe(sessions);
    const [reply] = lastComments(1);
    expect(reply).toContain('tag `v1.1.0;reboot` does not match');
    expect(reply).toContain('Comment `/help`');
  });

  test('/backup writes a real PostgreSQL dump whose restore gives identical row counts', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/backup');
    expect(run.outputs.status).toBe('success');
    const [result] = lastComments(1);
    const file = /(\/\S+\/data\/backups\/emergency_\d{8}_\d{6}\.sql\.gz)/.exec(result ?? '')?.[1];
    expect(file).toBeDefined();
    const size = await onHost(`stat -c %s ${file}`);
    const sha256 = (await onHost(`sha256sum ${file}`)).split(' ')[0];
    expect(result).toContain(size);
    expect(result).toContain(sha256);

    const original = await onHost('slack-kb-db counts');
    await onHost(`slack-kb-db restore ${file} --database restored_check`);
    expect(await onHost('slack-kb-db counts --database restored_check')).toBe(original);
    expect(original).toMatch(/documents \d+/);
  });

  test('/diagnose db reports the real pg_isready output and the active-connection count', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/diagnose db');
    expect(run.outputs.status).toBe('success');
    const [result] = lastComments(1);
    expect(result).toMatch(/127\.0\.0\.1:\d+ - accepting connections/);
    expect(result).toMatch(/active_connections\s*\n-+\s*\n\s*\d+/);
    expect(result).toContain('Connection successful');
  });

  test('/diagnose app on the broken app reports the failing health check', async () => {
    await onHost('curl -fsS -X POST "$KB_URL/admin/fault?mode=unhealthy" >/dev/null');
    try {
      const { run } = await scenario.comment(issue, 'alice', '/diagnose app');
      expect(run.outputs).toMatchObject({ status: 'failure' });
      const [result] = lastComments(1);
      expect(result).toContain('### ❌ Failed: `/diagnose scenario=app`');
      expect(result).toMatch(/❌ Check health endpoint \(exit 1/);
      expect(result).toContain('HTTP 503');
      expect(result).toContain('**Failed:** “Check health endpoint”.');
    } finally {
      await onHost('curl -fsS -X POST "$KB_URL/admin/fault?mode=clear" >/dev/null');
    }
  });

  test('a commenter with read permission is refused once, then only marked, and nothing runs on the host', async () => {
    const sessions = await sessionsSoFar();
    const { commentId, run } = await scenario.comment(issue, 'mallory', '/restart');
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
    expect(await sessionsSoFar()).toBe(sessions);
    const [reply] = lastComments(1);
    expect(reply).toContain(
      '@mallory: commands on this incident need write access to the repository; you have read.',
    );
    expect(reply).toContain('This is the only reply you get here');
    // Refused whole before anything was claimed: no 👀, only the 😕.
    expect(emulator.reactionsFor(commentId).map((r) => r.content)).toEqual(['confused']);
    const replies = scenario.actionComments(issue).length;
    const again = await scenario.comment(issue, 'mallory', '/rollback v1.0.0');
    expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
    expect(scenario.actionComments(issue)).toHaveLength(replies);
    expect(emulator.reactionsFor(again.commentId).map((r) => r.content)).toEqual(['confused']);
    expect(await sessionsSoFar()).toBe(sessions);
  });

  test('a host-key mismatch refuses to connect, and the issue says why', async () => {
    const sessions = await sessionsSoFar();
    const { run } = await scenario.comment(issue, 'alice', '/restart', {
      'ssh-known-hosts': host().wrongKnownHostsLine,
    });
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'ssh-error', 'exit-code': '255' });
    expect(await sessionsSoFar()).toBe(sessions);
    const [result] = lastComments(1);
    expect(result).toContain('### 🔌 Could not connect: `/restart`');
    expect(result).toContain('host key verification failed');
  });

  test('/help lists what this commenter may run, from the runbook in effect', async () => {
    await scenario.comment(issue, 'alice', '/help');
    const [help] = lastComments(1);
    expect(help).toContain('#### Commands @alice may run here');
    expect(help).toContain('| `/rollback <tag>` |');
    expect(help).toContain('| `/logs [service] [--lines N]` |');
    expect(help).not.toContain('/restore');
    await scenario.comment(issue, 'mallory', '/help');
    const [readOnly] = lastComments(1);
    expect(readOnly).toContain('| `/help` |');
    expect(readOnly).not.toContain('/restart');
  });

  test('dry-run posts the exact plan and runs nothing', async () => {
    const sessions = await sessionsSoFar();
    const { run } = await scenario.comment(issue, 'alice', '/logs postgres --lines 5', { 'dry-run': 'true' });
    expect(run.outputs).toMatchObject({ status: 'planned', reason: 'dry-run' });
    expect(await sessionsSoFar()).toBe(sessions);
    const [plan] = lastComments(1);
    expect(plan).toContain(`Target: \`${host().sshUser}@127.0.0.1:${host().sshPort}\``);
    expect(plan).toContain(`tail -n '5' "$KB_HOME/logs/"'postgres'.log`);
  });
});
