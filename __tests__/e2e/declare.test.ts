import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario } from '../../harness/scenario.ts';
import { runAction } from '../../harness/run-action.ts';
import { startSlackServer } from '../../harness/slack/server.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;

beforeEach(async () => {
  emulator = await startEmulator();
  scenario = new IncidentScenario({ emulator, inputs: { runbook: 'builtin' } });
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('the bundle, run as the runner runs it', () => {
  test('labelling an issue incident:p0 posts the declaration with the runbook’s severity and targets', async () => {
    const issue = scenario.openIssue('KB agent returns 503 for every query');
    const run = await scenario.label(issue, 'incident:p0', 'alice');

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'success', reason: 'declared', command: 'declare' });
    const declaration = scenario.board(issue);
    expect(declaration).toContain('## 🔍 P0 — Critical · investigating');
    expect(declaration).toContain('> Service completely down or major data loss');
    expect(declaration).toContain(
      'Targets: acknowledge within **5 minutes** · respond within **15 minutes** · status update every **30 minutes**',
    );
    expect(declaration).toMatch(/\| Declared \| \d{4}-\d\d-\d\d \d\d:\d\d UTC by @alice/);
    expect(run.summary).toContain('| `/declare` | success | declared |');
    // The token was masked before anything was logged.
    expect(run.masks).toContain('ghs_emulatorInstallationToken000000000000');
    // The built-in runbook (no file to read), the issue's history read once (it also tells
    // whether commands were posted before this run: none here), and the board.
    expect(emulator.requests.map((r) => `${r.method} ${r.operationId} ${r.status}`).sort()).toEqual([
      'GET issues/list-comments 200',
      'GET issues/list-events 200',
      'POST issues/create-comment 201',
    ]);
  });

  test('with a Slack webhook the declaration reaches the channel; the webhook URL is masked and never printed', async () => {
    const slack = await startSlackServer();
    try {
      const issue = scenario.openIssue('KB agent returns 503 for every query');
      const run = await scenario.label(issue, 'incident:p0', 'alice', { 'slack-webhook-url': slack.url });
      expect(run.outputs).toMatchObject({ status: 'success', reason: 'declared' });
      expect(slack.messages.map((message) => message.body.text)).toEqual([
        expect.stringMatching(/^P0 Declared: KB agent returns 503 for every query — state investigating/),
      ]);
      expect(scenario.board(issue)).toContain('- [x] Notify stakeholders: Slack told of 1 change');
      expect(run.masks).toContain(slack.url);
      expect(run.masks).toContain('s3cr3tW3bh00kT0k3n');
      // The runner reads `::add-mask::` commands and never shows them; everything else is printed.
      const printed = `${run.stdout}\n${run.stderr}\n${run.summary}\n${JSON.stringify(run.outputs)}`
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      expect(printed).not.toContain('s3cr3tW3bh00kT0k3n');
    } finally {
      await slack.close();
    }
  });

  test.each([
    ['incident:p1', 'High', '1 hour'],
    ['incident:p2', 'Medium', '4 hours'],
    ['incident:p3', 'Low', '24 hours'],
  ])('%s declares %s with a response time of %s', async (label, name, respond) => {
    const issue = scenario.openIssue('Slow answers');
    const run = await scenario.label(issue, label, 'bob');
    expect(run.exitCode).toBe(0);
    const declaration = scenario.board(issue);
    expect(declaration).toContain(`— ${name}`);
    expect(declaration).toContain(`respond within **${respond}**`);
  });

  test('the repository’s runbook file is read through the API and used', async () => {
    emulator.putFile(
      '.github/incident-runbook.yml',
      `version: 1
service: billing
severities:
  p0: { name: Sev-Zero, description: Billing is down, respond-within: 10m, acknowledge-within: 2m }
commands:
  ping: { description: Ping, steps: [{ name: ping, run: echo pong }] }
`,
    );
    const issue = scenario.openIssue('Billing down');
    await scenario.label(issue, 'incident:p0', 'alice', { runbook: '.github/incident-runbook.yml' });
    const declaration = scenario.board(issue);
    expect(declaration).toContain('P0 — Sev-Zero');
    expect(declaration).toContain('acknowledge within **2 minutes**');
  });

  test('a runbook file missing at the configured path is an error, never the built-in runbook', async () => {
    const issue = scenario.openIssue('Billing down');
    const run = await scenario.label(issue, 'incident:p0', 'alice', {
      runbook: '.github/incident-runbook.yml',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'error', reason: 'invalid-runbook' });
    expect(scenario.actionComments(issue)[0]).toContain(
      'there is no file at this path on the default branch',
    );
    expect(scenario.board(issue)).toBe('');
  });

  test('an invalid runbook file is reported on the issue with its line, and the run fails', async () => {
    emulator.putFile(
      '.github/incident-runbook.yml',
      'version: 1\nservice: x\nseverities: {}\ncommands:\n  restart:\n    steps: []\n',
    );
    const issue = scenario.openIssue('Down');
    const run = await scenario.label(issue, 'incident:p0', 'alice', {
      runbook: '.github/incident-runbook.yml',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'error', reason: 'invalid-runbook' });
    const [reply] = scenario.actionComments(issue);
    expect(reply).toContain('The runbook `.github/incident-runbook.yml` is invalid');
    expect(reply).toContain('Fix these:');
    expect(reply).toContain('Then relabel the issue.');
    expect(reply).toContain('.github/incident-runbook.yml:5:3: commands.restart.description');
  });

  test('other labels and events are ignored with a clear log line and no API call', async () => {
    const issue = scenario.openIssue('Typo in docs');
    const run = await scenario.label(issue, 'documentation', 'alice');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'ignored', reason: 'not-applicable' });
    expect(run.stdout).toContain('Ignored: label "documentation" on issue #1 is not an incident:pN label');
    const push = await runAction({ eventName: 'push', payload: {}, apiUrl: emulator.url });
    expect(push.stdout).toContain('Ignored: event "push" is not one this action handles');
    expect(emulator.requests).toEqual([]);
  });

  test('an invalid input fails the run and says which input and why', async () => {
    const issue = scenario.openIssue('Down');
    const run = await scenario.label(issue, 'incident:p0', 'alice', {
      permission: 'superuser',
      'ssh-port': 'twenty-two',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('input ssh-port: ssh-port must be a whole number');
    expect(run.stdout).toMatch(
      /input permission: Invalid option: expected one of "read"\|"triage"\|"write"\|"maintain"\|"admin"/,
    );
  });
});

describe('when GitHub keeps failing', () => {
  test('the declaration is retried, then the run fails loudly', async () => {
    const issue = scenario.openIssue('Down');
    emulator.inject({ operationId: 'issues/create-comment', kind: 'status', status: 502, times: 4 });
    const run = await scenario.label(issue, 'incident:p0', 'alice');
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('error');
    expect(emulator.requestsFor('issues/create-comment').length).toBeGreaterThan(1);
  });
});
