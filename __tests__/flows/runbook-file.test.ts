// The runbook file as the action finds it: missing, misnamed, or broken in the middle of an
// incident. A missing file never falls back to the built-in runbook (that would run another
// service's remediations), and a broken one stops its own commands only.
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;

const PATH = { runbook: '.github/incident-runbook.yml' };

beforeEach(async () => {
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    roles: { alice: 'write', bob: 'write' },
    inputs: PATH,
  }));
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('a runbook file that is not there', () => {
  test('is an error that names the path and how to choose the built-in runbook; nothing is declared', async () => {
    const issue = scenario.openIssue('Down');
    const run = await scenario.label(issue, 'incident:p0', 'alice');
    expect(run.outputs).toMatchObject({ status: 'error', reason: 'invalid-runbook' });
    const [reply] = scenario.actionComments(issue);
    expect(reply).toContain(
      '.github/incident-runbook.yml: there is no file at this path on the default branch: add it, set the runbook input to where it is, or set it to "builtin"',
    );
    expect(scenario.board(issue)).toBe('');
  });

  test('a file with the other YAML extension is named, so the fix is obvious', async () => {
    emulator.putFile('.github/incident-runbook.yaml', STANDIN_RUNBOOK);
    const issue = scenario.openIssue('Down');
    await scenario.label(issue, 'incident:p0', 'alice');
    expect(scenario.actionComments(issue)[0]).toContain(
      'there is no file at this path, but there is .github/incident-runbook.yaml: rename it, or set the runbook input to .github/incident-runbook.yaml',
    );
  });

  test('"builtin" selects the built-in runbook without reading any file', async () => {
    emulator.putFile('.github/incident-runbook.yml', STANDIN_RUNBOOK);
    const issue = scenario.openIssue('Down');
    const run = await scenario.label(issue, 'incident:p0', 'alice', { runbook: 'builtin' });
    expect(run.outputs).toMatchObject({ status: 'success', reason: 'declared' });
    expect(emulator.requests.filter((r) => r.operationId === 'repos/get-content')).toEqual([]);
    const help = await scenario.comment(issue, 'alice', '/help', { runbook: 'builtin' });
    expect(help.run.outputs.status).toBe('success');
    expect(scenario.actionComments(issue).at(-1)).toContain('`/rollback <tag>`');
    expect(scenario.actionComments(issue).at(-1)).toContain('Runbook: `built-in runbook`');
  });
});

describe('a runbook broken on the default branch in the middle of an incident', () => {
  let issue: number;
  const BROKEN = STANDIN_RUNBOOK.replace(
    'permission: write\n    timeout: 2m',
    'permission: writer\n    timeout: 2m',
  );

  beforeEach(async () => {
    emulator.putFile('.github/incident-runbook.yml', STANDIN_RUNBOOK);
    issue = scenario.openIssue('KB agent answers 503');
    await scenario.label(issue, 'incident:p1', 'alice');
    expect(BROKEN).not.toBe(STANDIN_RUNBOOK);
    emulator.putFile('.github/incident-runbook.yml', BROKEN);
  });

  test('/help still answers, lists the lifecycle commands and says what to fix', async () => {
    const { run } = await scenario.comment(issue, 'bob', '/help');
    expect(run.outputs).toMatchObject({ status: 'success', command: 'help' });
    const reply = scenario.actionComments(issue).at(-1) ?? '';
    expect(reply).toContain('`/ack`');
    expect(reply).not.toContain('`/restart');
    expect(reply).toContain('The runbook `.github/incident-runbook.yml` is invalid');
    expect(reply).toMatch(/incident-runbook\.yml:\d+:\d+: commands\.restart\.permission: Invalid option/);
  });

  test('lifecycle commands go on with the file’s severities; a runbook command is refused with the fix', async () => {
    const ack = await scenario.comment(issue, 'bob', '/ack');
    expect(ack.run.outputs).toMatchObject({ status: 'success', command: 'ack' });
    const severity = await scenario.comment(issue, 'bob', '/severity p0');
    expect(severity.run.outputs).toMatchObject({ status: 'success', command: 'severity' });
    expect(emulator.repo().labelsOn(issue)).toContain('incident:p0');
    const restart = await scenario.comment(issue, 'bob', '/restart\n/note restarting did not help before');
    expect(host.runs).toEqual([]);
    const reply = scenario.actionComments(issue).at(-1) ?? '';
    expect(reply).toContain('/restart is not run: the runbook .github/incident-runbook.yml is invalid');
    expect(reply).toMatch(/commands\.restart\.permission: Invalid option/);
    expect(reply).toContain('`/help` and the lifecycle commands still work');
    expect(restart.run.outputs.status).toBe('error');
    // The note on the next line was recorded all the same (on the board's record, quietly).
    expect(scenario.board(issue)).toMatch(/"kind":"note"[^}]*"text":"restarting did not help before"/);
    expect(
      scenario.actionComments(issue).some((body) => body.includes('restarting did not help before')),
    ).toBe(false);
  });
});
