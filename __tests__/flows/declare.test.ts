// Declaring, relabelling and the sweep in process: what the issue shows and the run's outputs.
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import type { IncidentScenario } from '../../harness/scenario.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;

beforeEach(async () => {
  ({ emulator, scenario } = await startInProcessWorkspace({ roles: { alice: 'write', bob: 'triage' } }));
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test.each([
  ['incident:p0', 'Critical', '15 minutes'],
  ['incident:p1', 'High', '1 hour'],
  ['incident:p2', 'Medium', '4 hours'],
  ['incident:p3', 'Low', '24 hours'],
])('%s declares %s with the built-in runbook’s response time of %s', async (label, name, respond) => {
  const issue = scenario.openIssue('Slow answers');
  const run = await scenario.label(issue, label, 'bob');
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'declared' });
  expect(scenario.board(issue)).toContain(`— ${name}`);
  expect(scenario.board(issue)).toContain(`respond within **${respond}**`);
});

test('a severity the runbook does not have is refused on the issue, with the ones it has', async () => {
  emulator.putFile(
    '.github/incident-runbook.yml',
    'version: 1\nservice: billing\nseverities:\n  p0: { name: Sev-Zero, description: Billing is down, respond-within: 10m }\ncommands:\n  ping: { description: Ping, steps: [{ name: ping, run: echo pong }] }\n',
  );
  const issue = scenario.openIssue('Billing slow');
  const run = await scenario.label(issue, 'incident:p2', 'alice', {
    runbook: '.github/incident-runbook.yml',
  });
  expect(run.outputs.reason).toBe('unknown-severity');
  expect(scenario.actionComments(issue)[0]).toContain('**P2 is not a severity in this runbook** (it has P0)');
});

test('an invalid runbook is reported with its line, and the run fails', async () => {
  emulator.putFile(
    '.github/incident-runbook.yml',
    'version: 1\nservice: x\nseverities: {}\ncommands:\n  restart:\n    steps: []\n',
  );
  const issue = scenario.openIssue('Down');
  const run = await scenario.label(issue, 'incident:p0', 'alice', {
    runbook: '.github/incident-runbook.yml',
  });
  expect(run.outputs).toMatchObject({ status: 'error', reason: 'invalid-runbook' });
  expect(run.exitCode).toBe(1);
  expect(scenario.actionComments(issue)[0]).toContain(
    '.github/incident-runbook.yml:5:3: commands.restart.description',
  );
});

test('removing the incident label ends the incident; commands after it are not run', async () => {
  const issue = scenario.openIncident('Down', 'incident:p1');
  const run = await scenario.unlabel(issue, 'incident:p1', 'alice');
  expect(run.outputs.reason).toBe('unlabeled');
  const after = await scenario.comment(issue, 'alice', '/status');
  expect(after.run.outputs.status).not.toBe('success');
});

test('the sweep with no open incident does nothing and says so', async () => {
  const run = await scenario.sweep();
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'swept' });
  expect(emulator.requests.filter((request) => request.method !== 'GET')).toEqual([]);
});

test('an invalid input fails the run and names the input', async () => {
  const issue = scenario.openIssue('Down');
  const run = await scenario.label(issue, 'incident:p0', 'alice', { 'ssh-port': 'twenty-two' });
  expect(run.exitCode).toBe(1);
  expect(run.outputs.result).toContain('ssh-port must be a whole number');
});
