// Runbook commands, confirmation and refusals in process: what reaches the host (a fake that
// records every script), what the issue shows, and the run's outputs.
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;
let issue: number;

const last = () => scenario.actionComments(issue).at(-1) ?? '';
const reactions = (id: number) =>
  emulator
    .reactionsFor(id)
    .map((reaction) => reaction.content)
    .sort();

beforeEach(async () => {
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', mallory: 'read', dana: 'maintain', tess: 'triage' },
  }));
  issue = scenario.openIncident('KB agent answers 503', 'incident:p0');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('a runbook command', () => {
  test('runs its steps on the host, reports each, and marks the comment 👍', async () => {
    host.respond = (script) => (script.includes('/health') ? { output: 'HTTP 200\n' } : {});
    const { run, commentId } = await scenario.comment(issue, 'alice', '/restart');
    expect(run.outputs).toMatchObject({
      status: 'success',
      reason: 'executed',
      command: 'restart',
      'exit-code': '0',
    });
    expect(host.ran('kbctl restart slack-kb-agent')).toHaveLength(1);
    expect(last()).toContain('Succeeded: `/restart`');
    expect(reactions(commentId)).toEqual(['+1', 'eyes']);
    expect(scenario.board(issue)).toContain('/restart');
  });

  test('a failing step stops the command: the result says which step and its exit code, and the comment gets 👎', async () => {
    host.respond = (script) =>
      script.includes('kbctl restart')
        ? { outcome: 'failed', exitCode: 3, output: 'slack-kb-agent: ERROR (spawn error)\n' }
        : {};
    const { run, commentId } = await scenario.comment(issue, 'alice', '/restart');
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'step-failed', 'exit-code': '3' });
    expect(last()).toContain('spawn error');
    expect(reactions(commentId)).toEqual(['-1', 'eyes']);
    // Nothing after the failed step ran.
    expect(host.runs.filter((r) => r.script.includes('/health'))).toHaveLength(0);
  });

  test('a step that runs out of time is reported as a timeout', async () => {
    host.respond = (script) =>
      script.includes('kbctl restart')
        ? { outcome: 'timeout', exitCode: undefined, output: 'stopping…\n' }
        : {};
    const { run } = await scenario.comment(issue, 'alice', '/restart');
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'timeout' });
    expect(last()).toMatch(/time/i);
  });

  test('ssh that cannot connect is reported in our words, and the run fails', async () => {
    host.respond = () => ({
      outcome: 'ssh-error',
      exitCode: 255,
      output: '',
      sshError: 'host key verification failed',
    });
    const { run } = await scenario.comment(issue, 'alice', '/restart');
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'ssh-error', 'exit-code': '255' });
    expect(last()).toContain('### 🔌 Could not connect: `/restart`');
    expect(last()).toContain('host key verification failed');
  });

  test('what the host prints is bounded, and a secret in it never reaches the issue', async () => {
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    host.respond = (script) =>
      script.includes('tail -n')
        ? { output: `${'x'.repeat(200_000)}\nleaked ${token}\n`, totalBytes: 200_020 }
        : {};
    const { run } = await scenario.comment(issue, 'alice', '/logs slack-kb-agent --lines 100');
    expect(run.outputs.status).toBe('success');
    const body = last();
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).not.toContain(token);
    expect(JSON.stringify(scenario.actionComments(issue))).not.toContain(token);
  });

  test('arguments reach the script quoted, and a malformed one is refused before anything runs', async () => {
    await scenario.comment(issue, 'alice', '/logs postgres --lines 5');
    expect(host.ran(`tail -n '5' "$KB_HOME/logs/"'postgres'.log`)).toHaveLength(1);
    const runs = host.runs.length;
    const { run } = await scenario.comment(issue, 'alice', '/rollback v1.1.0;reboot');
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'invalid-command' });
    expect(last()).toContain('tag `v1.1.0;reboot` does not match');
    expect(host.runs.length).toBe(runs);
  });

  test('dry-run posts the exact plan and hands nothing to the host', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/logs postgres --lines 5', { 'dry-run': 'true' });
    expect(run.outputs).toMatchObject({ status: 'planned', reason: 'dry-run' });
    expect(host.runs).toEqual([]);
    expect(last()).toContain(`tail -n '5' "$KB_HOME/logs/"'postgres'.log`);
    expect(last()).toContain('Target: `deploy@kb-vm.test:22`');
  });

  test('several commands in one comment run in order, each reported', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/status\n/logs redis --lines 3');
    expect(run.exitCode).toBe(0);
    const order = host.runs.map((r) => r.script);
    expect(order.findIndex((s) => s.includes("'redis'"))).toBeGreaterThan(0);
  });
});

describe('a destructive command waits for /confirm', () => {
  const planCode = () => /\/confirm ([0-9a-f]{8})/.exec(last())?.[1] ?? '';

  test('the plan runs only after another responder confirms its code, once', async () => {
    const asked = await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    expect(asked.run.outputs).toMatchObject({ status: 'planned', reason: 'awaiting-confirmation' });
    expect(host.runs).toEqual([]);
    expect(last()).toContain("ln -sfn releases/'v1.1.0' current.next");
    const code = planCode();
    expect(code).toMatch(/^[0-9a-f]{8}$/);

    const confirmed = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(confirmed.run.outputs).toMatchObject({ status: 'success', command: 'rollback' });
    expect(host.ran("ln -sfn releases/'v1.1.0' current.next")).toHaveLength(1);
    expect(last()).toContain('| @alice, confirmed by @dana in [this comment]');

    const again = await scenario.comment(issue, 'alice', `/confirm ${code}`);
    expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(last()).toContain('already used by @dana');
    expect(host.ran("ln -sfn releases/'v1.1.0' current.next")).toHaveLength(1);
  });

  test('a code that names no plan is refused and runs nothing', async () => {
    await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    const { run } = await scenario.comment(issue, 'dana', '/confirm 0badc0de');
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(host.runs).toEqual([]);
  });
});

describe('who may run what', () => {
  test('a reader is refused once, then only marked, and nothing runs', async () => {
    const first = await scenario.comment(issue, 'mallory', '/restart');
    expect(first.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
    expect(last()).toContain(
      '@mallory: commands on this incident need write access to the repository; you have read.',
    );
    expect(reactions(first.commentId)).toEqual(['confused']);
    const replies = scenario.actionComments(issue).length;
    const again = await scenario.comment(issue, 'mallory', '/rollback v1.0.0');
    expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
    expect(scenario.actionComments(issue)).toHaveLength(replies);
    expect(host.runs).toEqual([]);
  });

  test('a reader may run read-only commands, a few at a time', async () => {
    const answers: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      const { run } = await scenario.comment(issue, 'mallory', '/timeline');
      answers.push(`${run.outputs.status}/${run.outputs.reason}`);
    }
    expect(answers.slice(0, 3)).toEqual(['success/timeline', 'success/timeline', 'success/timeline']);
    expect(answers[3]).toBe('refused/rate-limited');
    expect(host.runs).toEqual([]);
  });

  test('/help lists only what the commenter may run', async () => {
    await scenario.comment(issue, 'alice', '/help');
    expect(last()).toContain('#### Commands @alice may run here');
    expect(last()).toContain('| `/rollback <tag>` |');
    expect(last()).toContain('| `/note <text>` |');
    await scenario.comment(issue, 'mallory', '/help');
    expect(last()).toContain('| `/help` |');
    expect(last()).not.toContain('/restart');
  });

  test('a comment with more commands than max-commands is refused whole', async () => {
    const body = Array.from({ length: 12 }, () => '/status').join('\n');
    const { run } = await scenario.comment(issue, 'alice', body);
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'too-many-commands' });
    expect(host.runs).toEqual([]);
  });

  test('an edited comment never runs', async () => {
    const { commentId } = await scenario.comment(issue, 'alice', 'looking into it');
    const run = await scenario.editComment(issue, commentId, 'alice', '/restart');
    expect(run.outputs.status).not.toBe('success');
    expect(host.runs).toEqual([]);
  });

  test('a comment on an issue that is not an incident is ignored', async () => {
    const plain = scenario.openIssue('Just a question', 'alice');
    const { run } = await scenario.comment(plain, 'alice', '/restart');
    expect(run.outputs.status).toBe('ignored');
    expect(host.runs).toEqual([]);
  });
});

describe('a confirmation runs exactly the plan it names, while it still holds', () => {
  const T0 = new Date('2026-11-26T03:00:00Z');
  let clock: Date;
  const plan = async () => {
    await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    return /\/confirm ([0-9a-f]{8})/.exec(last())?.[1] ?? '';
  };
  const refusedWith = async (user: string, code: string, inputs: Record<string, string> = {}) => {
    const { run } = await scenario.comment(issue, user, `/confirm ${code}`, inputs);
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(host.runs).toEqual([]);
    return last();
  };

  beforeEach(async () => {
    await emulator.close();
    clock = T0;
    ({ emulator, scenario, host } = await startInProcessWorkspace({
      runbook: STANDIN_RUNBOOK,
      roles: { alice: 'write', dana: 'maintain', tess: 'triage' },
      clock: () => clock,
    }));
    issue = scenario.openIncident('KB agent answers 503', 'incident:p0');
  });

  test('after it expires', async () => {
    const code = await plan();
    clock = new Date(T0.getTime() + 16 * 60_000);
    expect(await refusedWith('dana', code)).toContain(`The code \`${code}\` expired at`);
  });

  test('from someone who may not run the command', async () => {
    const code = await plan();
    const { run } = await scenario.comment(issue, 'tess', `/confirm ${code}`);
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
    expect(last()).toContain('@tess');
    expect(host.runs).toEqual([]);
  });

  test('when the runbook changed the plan since', async () => {
    const code = await plan();
    emulator.putFile(
      '.github/incident-runbook.yml',
      STANDIN_RUNBOOK.replace('current.next && mv -T', 'current.next && mv -vT'),
    );
    expect(await refusedWith('dana', code)).toContain(
      'The runbook or the target changed since this plan was posted',
    );
  });

  test('when the runbook no longer has the command, or its argument no longer passes', async () => {
    const code = await plan();
    emulator.putFile(
      '.github/incident-runbook.yml',
      // A function, so that `$'` in the new pattern is not read as a replacement pattern.
      STANDIN_RUNBOOK.replace(
        "pattern: '^v[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}$'",
        () => "pattern: '^release-[0-9]+$'",
      ),
    );
    expect(await refusedWith('dana', code)).toContain('The held command no longer passes the runbook');
    emulator.putFile(
      '.github/incident-runbook.yml',
      STANDIN_RUNBOOK.replace('  rollback:\n', '  roll-back:\n'),
    );
    expect(await refusedWith('dana', code)).toContain('`/rollback` is no longer in the runbook.');
  });

  test('in a dry run, the confirmed plan is shown and nothing runs', async () => {
    const code = await plan();
    const { run } = await scenario.comment(issue, 'dana', `/confirm ${code}`, { 'dry-run': 'true' });
    expect(run.outputs).toMatchObject({ status: 'planned', reason: 'dry-run' });
    expect(host.runs).toEqual([]);
  });

  test('once run, the plan comment ends showing who confirmed it and what became of it', async () => {
    const code = await plan();
    const planComment = emulator
      .listComments(issue)
      .find((comment) => comment.body?.includes(`/confirm ${code}`))!;
    await scenario.comment(issue, 'dana', `/confirm ${code}`);
    const edited = emulator.repo().getComment(planComment.id)?.body ?? '';
    expect(edited).toContain('✅ **Confirmed by @dana** at 2026-11-26 03:00 UTC and run: success ([result](');
    expect(edited).toContain('The code is spent.');
    expect(edited).not.toContain('running now');
    // Its heading says what became of it, and the spent code is no longer offered.
    expect(edited.split('\n')[0]).toBe('### ✅ `/rollback` was confirmed and ran: success');
    expect(edited).not.toContain('waits for confirmation');
    expect(edited).not.toContain('an authorised responder comments');
    // The confirmer is credited with the confirmation, in the timeline and among the responders.
    await scenario.comment(issue, 'alice', '/timeline');
    expect(last()).toMatch(/\| @dana \| Confirmed `\/rollback`, asked for by @alice \| \[comment\]/);
    await scenario.comment(issue, 'alice', '/postmortem');
    expect(last()).toContain('| @dana | confirmed `/rollback` |');
    expect(last()).toMatch(/\| @alice \| [^|]*ran `\/rollback` \|/);
  });
});
