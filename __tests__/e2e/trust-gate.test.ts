// Every path to the host goes through one gate: a label's initial assessment, a confirmation, the
// resolution's verification, each with the actor's permission checked, dry-run honoured and the
// host-key warning shown. Proven from the host's session log.
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();

const RUNBOOK = `version: 1
service: gate checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  assess:
    description: Initial assessment
    permission: triage
    steps:
      - name: Look
        run: echo gate-assess
  rollback:
    description: Roll back
    permission: write
    destructive: true
    args:
      - { name: tag, description: Release tag, pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$', required: true }
    steps:
      - name: Roll back
        run: echo gate-rollback {{ tag }}
  slow:
    description: Three slow steps
    permission: write
    steps:
      - { name: One, run: sleep 2.2; echo gate-slow-one }
      - { name: Two, run: sleep 2.2; echo gate-slow-two }
      - { name: Three, run: echo gate-slow-three }
verification:
  steps:
    - name: Health
      run: echo gate-verify
`;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let sessionsBefore = 0;

const ran = async (word: string) =>
  (await readCommandLog(host())).slice(sessionsBefore).filter((entry) => entry.command?.includes(word))
    .length;
const last = (issue: number) => scenario.actionComments(issue).at(-1) ?? '';

beforeEach(async () => {
  sessionsBefore = (await readCommandLog(host())).length;
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write', tina: 'triage', dana: 'maintain' },
    inputs: sshInputs(host()),
  }));
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('the initial assessment is a command like any other', () => {
  test('a triage user who labels the issue does not get the assessment /assess would refuse them', async () => {
    const issue = scenario.openIssue('Down', 'tina');
    const run = await scenario.label(issue, 'incident:p1', 'tina', { 'initial-assessment': 'true' });
    expect(run.outputs.status).toBe('refused');
    expect(await ran('gate-assess')).toBe(0);
    expect(scenario.board(issue)).toContain('P1 — High');
    expect(last(issue)).toContain(
      'The initial assessment was not run on declaration: @tina has triage permission',
    );
  });

  test('run by a write user, its result reaches the timeline; with dry-run it runs nothing', async () => {
    const issue = scenario.openIssue('Down', 'alice');
    await scenario.label(issue, 'incident:p1', 'alice', { 'initial-assessment': 'true' });
    expect(await ran('gate-assess')).toBe(1);
    expect(last(issue)).toContain('(initial assessment, on declaration)');
    await scenario.comment(issue, 'alice', '/timeline');
    expect(last(issue)).toContain('Ran `/assess`: success');

    const dry = scenario.openIssue('Down again', 'alice');
    const run = await scenario.label(dry, 'incident:p1', 'alice', {
      'initial-assessment': 'true',
      'dry-run': 'true',
    });
    expect(run.outputs.status).toBe('planned');
    expect(await ran('gate-assess')).toBe(1);
    expect(last(dry)).toContain('Dry run: the initial assessment would run');
  });

  test('with host-key checks off, the assessment and the verification carry the warning', async () => {
    const insecure = { 'ssh-insecure-skip-host-key-check': 'true' };
    const issue = scenario.openIssue('Down', 'alice');
    await scenario.label(issue, 'incident:p1', 'alice', { ...insecure, 'initial-assessment': 'true' });
    expect(last(issue)).toContain('Host key checking is **off**');
    await scenario.comment(issue, 'alice', '/resolve', insecure);
    const verification = scenario.actionComments(issue).find((body) => body.includes('gate-verify'));
    expect(verification).toContain('Host key checking is **off**');
  });
});

describe('dry-run runs nothing, whatever path asks', () => {
  test('/confirm of a plan posted before dry-run was turned on posts the plan and spends nothing', async () => {
    const issue = scenario.openIssue('Bad release', 'alice');
    await scenario.label(issue, 'incident:p1', 'alice');
    await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    const code = /\/confirm ([0-9a-f]{8})/.exec(last(issue))?.[1] ?? '';
    const dry = await scenario.comment(issue, 'dana', `/confirm ${code}`, { 'dry-run': 'true' });
    expect(dry.run.outputs).toMatchObject({ status: 'planned', reason: 'dry-run' });
    expect(await ran('gate-rollback')).toBe(0);
    expect(last(issue)).toContain('Dry run: the confirmed `/rollback` would run');
    // The code is not spent by the dry run.
    const real = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(real.run.outputs).toMatchObject({ status: 'success', command: 'rollback' });
    expect(await ran('gate-rollback')).toBe(1);
  });

  test('/resolve in a dry run does not verify over SSH and does not resolve', async () => {
    const issue = scenario.openIssue('Errors', 'alice');
    await scenario.label(issue, 'incident:p1', 'alice');
    const { run } = await scenario.comment(issue, 'alice', '/resolve', { 'dry-run': 'true' });
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'verification-failed' });
    expect(await ran('gate-verify')).toBe(0);
    expect(emulator.getIssue(issue)?.state).toBe('open');
    expect(last(issue)).toContain('Verification not run (`dry-run: true`)');
  });
});

describe('a failed progress edit never stops a remediation', () => {
  test('the steps all run and the result is recorded, edited or posted anew', async () => {
    const issue = scenario.openIssue('Slow', 'alice');
    await scenario.label(issue, 'incident:p1', 'alice');
    emulator.inject({ operationId: 'issues/update-comment', kind: 'status', status: 422, times: 1 });
    const first = await scenario.comment(issue, 'alice', '/slow');
    expect(first.run.outputs).toMatchObject({ status: 'success', reason: 'executed' });
    expect(await ran('gate-slow-three')).toBe(1);
    expect(last(issue)).toContain('### ✅ Succeeded: `/slow`');

    // Every edit fails: the final result is posted as a new comment.
    emulator.inject({ operationId: 'issues/update-comment', kind: 'status', status: 422, times: 50 });
    const second = await scenario.comment(issue, 'alice', '/slow');
    expect(second.run.outputs).toMatchObject({ status: 'success', reason: 'executed' });
    expect(await ran('gate-slow-three')).toBe(2);
    expect(
      scenario.actionComments(issue).filter((body) => body.includes('### ✅ Succeeded: `/slow`')),
    ).toHaveLength(2);
    emulator.clearFaults();
  });
});
