// Stakeholders on Slack through a whole incident, in process: the action's flows with the real
// Slack notifier against a local server that holds it to Slack's webhook contract. One message per
// lifecycle change, in order; none lost when Slack is down (the next run delivers), none
// duplicated when GitHub or Slack answer 5xx once; the board says what reached the channel.
import { notification } from '../../harness/alertmanager/notification.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import type { ActionRun } from '../../harness/run-action.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';
import { HEALTHY_METRICS } from '../cases/lifecycle.ts';
import { startSlackServer, type SlackServer } from '../../harness/slack/server.ts';

const T0 = new Date('2026-11-26T03:00:00Z');
const TOKEN = 's3cr3tW3bh00kT0k3n';

let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let slack: SlackServer;
const runs: ActionRun[] = [];

const at = (minutes: number) => {
  clock = new Date(T0.getTime() + minutes * 60_000);
};

async function start(inputs: Record<string, string> = {}) {
  let host: FakeHost;
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', dana: 'write' },
    inputs: { 'slack-webhook-url': slack.url, ...inputs },
    clock: () => clock,
  }));
  // The application is healthy again by the time anyone resolves.
  host.respond = (script) => {
    if (script.includes('/health')) return { output: '{"status":"ok","version":"v1.1.0"}\n' };
    if (script.includes('/metrics')) return { output: `${HEALTHY_METRICS}\n` };
    return {};
  };
}

/** `alice` labels a new issue: the action declares the incident (and tells the channel). */
async function declare(): Promise<number> {
  const issue = scenario.openIssue('KB agent down', 'alice');
  runs.push(await scenario.label(issue, 'incident:p0', 'alice'));
  return issue;
}

beforeEach(async () => {
  clock = T0;
  runs.length = 0;
  slack = await startSlackServer();
  await start();
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
  await slack.close();
});

/** What the channel shows: each message's header. */
const headers = () =>
  slack.messages.map((message) => (message.body.blocks?.[0] as { text: { text: string } }).text.text);

const stakeholders = (issue: number) =>
  scenario
    .board(issue)
    .split('\n')
    .find((line) => line.includes('Notify stakeholders'));

async function comment(issue: number, user: string, body: string, inputs: Record<string, string> = {}) {
  const { run } = await scenario.comment(issue, user, body, inputs);
  runs.push(run);
  return run;
}

test('a whole incident: one message per lifecycle change, in order, and the board ticks the line', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  runs.push(await scenario.label(issue, 'incident:p0', 'alice'));
  expect(headers()).toEqual(['🔴 P0 · Declared: KB agent down']);
  expect(stakeholders(issue)).toBe(
    '- [x] Notify stakeholders: Slack told of 1 change, last at 2026-11-26 03:00 UTC',
  );

  at(2);
  await comment(issue, 'alice', '/ack');
  at(3);
  await comment(issue, 'alice', '/commander @dana');
  // Naming the same commander again changes nothing, so nobody is told twice.
  await comment(issue, 'alice', '/commander @dana');
  at(10);
  await comment(issue, 'dana', '/update Rolling back to v1.1.0; next update by 03:40');
  at(12);
  await comment(issue, 'dana', '/severity p1');
  at(14);
  await comment(issue, 'dana', '/note a timeline note is not for stakeholders');
  await comment(issue, 'dana', '/status');
  at(20);
  await comment(issue, 'dana', '/mitigated rolled back');
  await comment(issue, 'dana', '/mitigated again');
  at(30);
  const resolved = await comment(issue, 'dana', '/resolve Bad release v1.2.0; rolled back.');
  expect(resolved.outputs).toMatchObject({ status: 'success', reason: 'resolved' });
  // The sweep after the end owes nothing.
  at(40);
  runs.push(await scenario.sweep());

  expect(headers()).toEqual([
    '🔴 P0 · Declared: KB agent down',
    '🔴 P0 · Commander: @dana: KB agent down',
    '🔴 P0 · Status update: KB agent down',
    '🟠 P1 · Severity changed: KB agent down',
    '🟠 P1 · Mitigated: KB agent down',
    '✅ P1 · Resolved: KB agent down',
  ]);
  expect(slack.requests.every((request) => request.status === 200)).toBe(true);
  const update = JSON.stringify(slack.messages[2]?.body);
  expect(update).toContain('Rolling back to v1.1.0; next update by 03:40');
  expect(update).toContain('*Commander*\\n@dana');
  expect(update).toContain('*Next update*\\n03:40 UTC (in 30 min)');
  expect(update).toContain(
    `<https://github.com/${emulator.repo().fullName}/issues/${issue}|#${issue} KB agent down>`,
  );
  const last = JSON.stringify(slack.messages[5]?.body);
  expect(last).toContain('*State*\\nresolved');
  expect(last).toContain('*Next update*\\nnone (resolved)');
  expect(stakeholders(issue)).toBe(
    '- [x] Notify stakeholders: Slack told of 6 changes, last at 2026-11-26 03:30 UTC',
  );

  // The webhook's URL is a secret: nowhere on the issue, in a log or an output.
  const seen = [
    ...emulator.listComments(issue).map((entry) => entry.body ?? ''),
    ...runs.map((run) => `${run.stdout}\n${run.stderr}\n${JSON.stringify(run.outputs)}`),
  ].join('\n');
  expect(seen).not.toContain(TOKEN);
  expect(seen).not.toContain('/services/T0INCIDENT');
});

test('Slack answering 500 once, and GitHub answering 502 once on the board, send nothing twice', async () => {
  const issue = await declare();
  expect(headers()).toHaveLength(1);
  slack.fail({ kind: 'status', status: 500, body: 'internal_error' });
  await comment(issue, 'alice', '/commander @dana');
  emulator.inject({ operationId: 'issues/update-comment', kind: 'status', status: 502, times: 1 });
  await comment(issue, 'dana', '/update Restarting the app container');
  slack.fail({ kind: 'drop' });
  await comment(issue, 'dana', '/severity p2');
  expect(headers()).toEqual([
    '🔴 P0 · Declared: KB agent down',
    '🔴 P0 · Commander: @dana: KB agent down',
    '🔴 P0 · Status update: KB agent down',
    '🟡 P2 · Severity changed: KB agent down',
  ]);
  expect(slack.requests.map((request) => request.status)).toEqual([200, 500, 200, 200, 0, 200]);
  expect(emulator.requests.filter((request) => request.fault)).toHaveLength(1);
  expect(stakeholders(issue)).toMatch(/^- \[x\] Notify stakeholders: Slack told of 4 changes/);
});

test('Slack down for a whole run: the incident goes on, the board says so, the next run delivers', async () => {
  const issue = await declare();
  slack.fail(
    ...Array.from({ length: 4 }, () => ({
      kind: 'status' as const,
      status: 503,
      body: 'service_unavailable',
    })),
  );
  at(5);
  const run = await comment(issue, 'alice', '/update Investigating the 503s');
  // The command's own work is done: the update is on the board, the run succeeds.
  expect(run.outputs).toMatchObject({ status: 'success' });
  expect(scenario.board(issue)).toContain('Investigating the 503s');
  expect(stakeholders(issue)).toBe(
    '- [ ] Notify stakeholders: ⚠️ **1 change not delivered to Slack** (`HTTP 503 service_unavailable`, 4 attempts at 2026-11-26 03:05 UTC); the next run tries again · Slack told of 1 change, last at 2026-11-26 03:00 UTC',
  );
  expect(headers()).toEqual(['🔴 P0 · Declared: KB agent down']);

  at(10);
  runs.push(await scenario.sweep());
  expect(headers()).toEqual(['🔴 P0 · Declared: KB agent down', '🔴 P0 · Status update: KB agent down']);
  expect(JSON.stringify(slack.messages[1]?.body)).toContain('Investigating the 503s');
  expect(stakeholders(issue)).toBe(
    '- [x] Notify stakeholders: Slack told of 2 changes, last at 2026-11-26 03:10 UTC',
  );
  // Nothing owed: a later sweep sends nothing.
  at(15);
  await scenario.sweep();
  expect(headers()).toHaveLength(2);
});

test('many changes owed at once go out as one digest, oldest first, not as a flood', async () => {
  const down = () =>
    slack.fail(
      ...Array.from({ length: 4 }, () => ({
        kind: 'status' as const,
        status: 503,
        body: 'service_unavailable',
      })),
    );
  down();
  const issue = await declare();
  expect(slack.messages).toHaveLength(0);
  for (const [minute, user, body] of [
    [1, 'alice', '/commander @dana'],
    [2, 'dana', '/update Looking at the database'],
    [3, 'dana', '/severity p1'],
  ] as const) {
    at(minute);
    down();
    await comment(issue, user, body);
  }
  expect(slack.messages).toHaveLength(0);
  expect(stakeholders(issue)).toContain('⚠️ **4 changes not delivered to Slack**');
  at(5);
  await scenario.sweep();
  expect(headers()).toEqual(['🟠 P1 · 4 changes since the last message: KB agent down']);
  const digest = JSON.stringify(slack.messages[0]?.body);
  const order = ['*P0 declared*', '*Commander: @dana*', '*Status update*', '*Severity now P1*'].map((line) =>
    digest.indexOf(line),
  );
  expect(order.every((index) => index > 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(stakeholders(issue)).toMatch(/^- \[x\] Notify stakeholders: Slack told of 4 changes/);
});

test('without a channel nothing is sent and the board says to tell stakeholders by hand', async () => {
  await emulator.close();
  await start({ 'slack-webhook-url': '' });
  const issue = await declare();
  await comment(issue, 'alice', '/update Investigating');
  expect(slack.requests).toEqual([]);
  expect(stakeholders(issue)).toBe(
    '- [ ] Notify stakeholders: no channel is set up (`slack-webhook-url`), so tell them yourself',
  );
});

test('a channel set up mid-incident is told what happens from then on, not the history', async () => {
  const off = { 'slack-webhook-url': '' };
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice', off);
  at(5);
  await comment(issue, 'alice', '/update first, before the channel existed', off);
  expect(slack.requests).toEqual([]);
  // The secret is added: the next run starts the channel's ledger from now.
  at(10);
  await scenario.sweep();
  expect(slack.requests).toEqual([]);
  expect(stakeholders(issue)).toBe('- [ ] Notify stakeholders: nothing sent to Slack yet');
  at(12);
  await comment(issue, 'alice', '/update second, with the channel');
  expect(headers()).toEqual(['🔴 P0 · Status update: KB agent down']);
  expect(JSON.stringify(slack.messages[0]?.body)).toContain('second, with the channel');
});

test('a webhook URL that is not https (or loopback http) is refused before anything runs, without echoing it', async () => {
  await emulator.close();
  await start({ 'slack-webhook-url': `http://hooks.example.com/services/T0/B0/${TOKEN}` });
  const issue = scenario.openIssue('KB agent down', 'alice');
  const run = await scenario.label(issue, 'incident:p0', 'alice');
  expect(run.outputs).toMatchObject({ status: 'error', reason: 'invalid-input' });
  expect(`${run.stdout}${JSON.stringify(run.outputs)}`).toContain('slack-webhook-url');
  expect(`${run.stdout}${JSON.stringify(run.outputs)}`).not.toContain(TOKEN);
  expect(slack.requests).toEqual([]);
});

test('an incident Alertmanager opens is announced once; its repeats and its resolved notification are not changes', async () => {
  const body = (status: 'firing' | 'resolved') =>
    notification({
      status,
      alerts: [{ alertname: 'SlackKBAgentDown', annotations: { summary: 'Slack KB Agent is down' } }],
    });
  // The built-in runbook maps the alert to P0.
  const send = (status: 'firing' | 'resolved') =>
    scenario.dispatch('alertmanager', { alertmanager: body(status) }, 'relay-bot', { runbook: 'builtin' });
  expect((await send('firing')).outputs).toMatchObject({ reason: 'alert-opened' });
  expect(headers()).toEqual(['🔴 P0 · Declared: SlackKBAgentDown: Slack KB Agent is down']);
  expect(slack.messages[0]?.body.text).toContain('commander none yet');
  at(5);
  expect((await send('firing')).outputs).toMatchObject({ reason: 'alert-updated' });
  at(10);
  await send('resolved');
  // Prometheus seeing it resolve is not a mitigation until a responder says so.
  expect(headers()).toHaveLength(1);
});

test('a notifier that throws does not hold the incident up; the board says so and the next run tries again', async () => {
  await emulator.close();
  let calls = 0;
  ({ emulator, scenario } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write' },
    clock: () => clock,
    notifier: {
      channel: 'Slack',
      deliver: async () => {
        calls += 1;
        if (calls === 1) throw new TypeError(`bad ${slack.url}`);
        return { delivered: true, attempts: 1 };
      },
    },
  }));
  const issue = await declare();
  expect(runs.at(-1)?.outputs).toMatchObject({ status: 'success', reason: 'declared' });
  expect(stakeholders(issue)).toContain('the notifier failed unexpectedly (TypeError)');
  expect(scenario.board(issue)).not.toContain(TOKEN);
  at(5);
  await scenario.sweep();
  expect(stakeholders(issue)).toMatch(/^- \[x\] Notify stakeholders: Slack told of 1 change/);
});

test('a message Slack refuses as malformed is set aside: the next changes still go, and the board says so', async () => {
  const issue = await declare();
  slack.fail({ kind: 'status', status: 400, body: 'invalid_blocks' });
  at(5);
  await comment(issue, 'alice', '/update an update Slack will not take');
  at(6);
  await comment(issue, 'alice', '/commander @dana');
  expect(headers()).toEqual(['🔴 P0 · Declared: KB agent down', '🔴 P0 · Commander: @dana: KB agent down']);
  expect(stakeholders(issue)).toBe(
    '- [ ] Notify stakeholders: ⚠️ **Slack refused 1 change** (`HTTP 400 invalid_blocks`): tell them yourself · Slack told of 2 changes, last at 2026-11-26 03:06 UTC',
  );
  // Never tried again: a later sweep sends nothing more.
  at(10);
  await scenario.sweep();
  expect(slack.requests.filter((request) => request.status === 400)).toHaveLength(1);
});

test('a long update with an emoji at the cut still makes a valid message', async () => {
  const issue = await declare();
  await comment(issue, 'alice', `/update ${'a'.repeat(1498)}😀 and more`);
  expect(slack.requests.map((request) => request.status)).toEqual([200, 200]);
  expect(JSON.stringify(slack.messages[1]?.body)).not.toMatch(/\\ud83d(?!\\ude00)/);
});

test('two runs on one issue at once (the sweep and a command): the board keeps both runs’ deliveries', async () => {
  const issue = await declare();
  slack.fail(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 })));
  at(5);
  await comment(issue, 'alice', '/update owed to Slack');
  at(10);
  // Both read the same board and deliver. The sweep reaches Slack first and Slack is slow to
  // answer it, so the command's run writes the board first, and the sweep edits it last with what
  // it read before: it must keep what the command's run delivered.
  slack.fail({ kind: 'delay', ms: 1500 });
  const listed = emulator.requestsFor('issues/list-comments').length;
  const sweeping = scenario.sweep();
  // The sweep has read the issue (so it does not see the command), and waits on Slack.
  while (emulator.requestsFor('issues/list-comments').length === listed)
    await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const posted = scenario.postComment(issue, 'alice', '/commander @dana');
  await posted.start();
  await sweeping;
  // Both runs owed the update, so it may have gone twice (at least once, never lost).
  const sent = headers().length;
  expect(headers()).toEqual(
    expect.arrayContaining([
      '🔴 P0 · Status update: KB agent down',
      '🔴 P0 · Commander: @dana: KB agent down',
    ]),
  );
  at(15);
  await scenario.sweep();
  // Nothing is owed any more: the sweep's late edit kept the commander the other run delivered.
  expect(headers()).toHaveLength(sent);
  expect(stakeholders(issue)).toMatch(/^- \[x\] Notify stakeholders: Slack told of 3 changes/);
});
