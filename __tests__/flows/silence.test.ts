// Acknowledging silences the alert, in process: `/ack` on an incident an alert group opened
// creates an Alertmanager silence for exactly the group's labels, through the deployment host;
// the resolution expires it. Label values come from the monitored system: whatever they hold,
// they reach the host's shell as inert data (checked by running the script in a real bash).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notification } from '../../harness/alertmanager/notification.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import type { IncidentScenario } from '../../harness/scenario.ts';
import { createScript, expireScript, parseCreated } from '../../src/alerts/silence.ts';
import { HEALTHY_METRICS } from '../cases/lifecycle.ts';

const ID = '4f1c3a9e-8b2d-4e6f-9a1b-2c3d4e5f6a7b';
const T0 = new Date('2026-11-26T03:00:00Z');
let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;
let alertmanager: 'up' | 'down';
const at = (minutes: number) => (clock = new Date(T0.getTime() + minutes * 60_000));

async function start(inputs: Record<string, string> = {}) {
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    roles: { alice: 'write', dana: 'write' },
    clock: () => clock,
    inputs,
  }));
  host.respond = (script) => {
    if (script.includes('/api/v2/silences'))
      return alertmanager === 'up'
        ? { output: `{"silenceID":"${ID}"}` }
        : { outcome: 'failed', exitCode: 7, output: 'curl: (7) Failed to connect to 127.0.0.1 port 9093' };
    if (script.includes('/api/v2/silence/'))
      return alertmanager === 'up'
        ? {}
        : { outcome: 'failed', exitCode: 7, output: 'curl: (7) Failed to connect' };
    if (script.includes('/health')) return { output: '{"status":"healthy","release":"v1.4.2"}\n' };
    if (script.includes('/metrics')) return { output: `${HEALTHY_METRICS}\n` };
    return {};
  };
}

beforeEach(async () => {
  clock = T0;
  alertmanager = 'up';
  await start();
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const down = (labels: Record<string, string> = {}) =>
  notification({
    groupLabels: { alertname: 'SlackKBAgentDown', ...labels },
    alerts: [{ alertname: 'SlackKBAgentDown', annotations: { summary: 'Slack KB Agent is down' } }],
  });

async function openFromAlert(body = down()): Promise<number> {
  const run = await scenario.dispatch('alertmanager', { alertmanager: body });
  expect(run.outputs).toMatchObject({ reason: 'alert-opened' });
  return emulator.listIssues().find((issue) => issue.title.startsWith('SlackKBAgentDown'))!.number;
}

const silenceRow = (issue: number) =>
  scenario
    .board(issue)
    .split('\n')
    .find((line) => line.startsWith('| Silence |'));
const lastReply = (issue: number) => scenario.actionComments(issue).at(-1) ?? '';

/** The JSON body a create script sends (the here-document's one line). */
const bodyOf = (script: string) => JSON.parse(script.split('\n').at(-2) ?? '{}') as Record<string, unknown>;

test('/ack silences exactly the group for 12 h; the resolution expires it; the board and postmortem say so', async () => {
  const issue = await openFromAlert();
  at(3);
  const ack = await scenario.comment(issue, 'alice', '/ack');
  expect(ack.run.outputs).toMatchObject({ status: 'success', reason: 'ack' });
  const [created] = host.ran('/api/v2/silences');
  expect(created?.target.env.ALERTMANAGER_URL).toBe('http://127.0.0.1:9093');
  expect(bodyOf(created!.script)).toEqual({
    // The group's label, then the labels its alerts share: not every team's SlackKBAgentDown.
    matchers: [
      { name: 'alertname', value: 'SlackKBAgentDown', isRegex: false, isEqual: true },
      { name: 'job', value: 'slack-kb-agent', isRegex: false, isEqual: true },
      { name: 'service', value: 'slack-kb-agent', isRegex: false, isEqual: true },
    ],
    startsAt: '2026-11-26T03:03:00.000Z',
    endsAt: '2026-11-26T15:03:00.000Z',
    createdBy: 'alice (incident-issueops)',
    comment: `Acknowledged on https://github.com/${emulator.repo().fullName}/issues/${issue}; expired when the incident is resolved.`,
  });
  expect(lastReply(issue)).toContain(
    `🔕 **Silenced in Alertmanager** until 2026-11-26 15:03 UTC: [silence 4f1c3a9e](http://127.0.0.1:9093/#/silences/${ID}) for \`alertname=SlackKBAgentDown, job=slack-kb-agent, service=slack-kb-agent\`. \`/resolve\` expires it.`,
  );
  expect(silenceRow(issue)).toBe(
    `| Silence | [4f1c3a9e](http://127.0.0.1:9093/#/silences/${ID}) 🔕 active until 2026-11-26 15:03 UTC or the resolution (set by @alice with \`/ack\`) |`,
  );

  at(30);
  const resolved = await scenario.comment(issue, 'alice', '/resolve The agent is back. --force');
  expect(resolved.run.outputs).toMatchObject({ status: 'success', reason: 'resolved' });
  const expired = host.ran(`/api/v2/silence/${ID}`);
  expect(expired).toHaveLength(1);
  expect(expired[0]?.script).toContain(`-X DELETE "$ALERTMANAGER_URL/api/v2/silence/${ID}"`);
  const postmortem = scenario.actionComments(issue).find((body) => body.startsWith('# Postmortem'));
  expect(postmortem).toContain(
    `🔔 The Alertmanager silence \`${ID}\` was expired: the alert group pages again.`,
  );
  expect(silenceRow(issue)).toBe(
    `| Silence | [4f1c3a9e](http://127.0.0.1:9093/#/silences/${ID}) expired at 2026-11-26 03:30 UTC (the resolution) |`,
  );
  expect(host.ran('/api/v2/silences')).toHaveLength(1);
});

test('an incident a person declared has no alert to silence: /ack touches no host', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  await scenario.comment(issue, 'alice', '/ack');
  expect(host.runs).toEqual([]);
  expect(lastReply(issue)).not.toContain('Silenced');
});

test('Alertmanager unreachable: the acknowledgement stands, the reply says the alert may page again', async () => {
  alertmanager = 'down';
  const issue = await openFromAlert();
  const ack = await scenario.comment(issue, 'alice', '/ack');
  expect(ack.run.outputs).toMatchObject({ status: 'success', reason: 'ack' });
  expect(lastReply(issue)).toContain(
    '⚠️ **The alert group could not be silenced in Alertmanager** (`failed, exit 7: curl: (7) Failed to connect to 127.0.0.1 port 9093`): it may page again while you work.',
  );
  expect(scenario.board(issue)).toMatch(/\| Acknowledged \| 03:00 UTC by @alice/);
  expect(silenceRow(issue)).toBeUndefined();
  // Resolving has nothing to expire.
  await scenario.comment(issue, 'alice', '/resolve --force');
  expect(host.ran('/api/v2/silence/')).toEqual([]);
});

test('a silence that cannot be expired is said in the postmortem and on the board, to be expired by hand', async () => {
  const issue = await openFromAlert();
  await scenario.comment(issue, 'alice', '/ack');
  alertmanager = 'down';
  await scenario.comment(issue, 'alice', '/resolve --force');
  const postmortem = scenario.actionComments(issue).find((body) => body.startsWith('# Postmortem'));
  expect(postmortem).toContain(`⚠️ **The Alertmanager silence \`${ID}\` could not be expired**`);
  expect(silenceRow(issue)).toContain(
    '⚠️ could not be expired (`failed, exit 7: curl: (7) Failed to connect`): expire it by hand',
  );
});

test('a dry run and a repeated /ack create no silence', async () => {
  await emulator.close();
  await start({ 'dry-run': 'true' });
  const issue = await openFromAlert();
  await scenario.comment(issue, 'alice', '/ack');
  expect(lastReply(issue)).toContain('Dry run: the alert group is not silenced in Alertmanager.');
  expect(host.runs).toEqual([]);
  await emulator.close();
  await start();
  const live = await openFromAlert();
  await scenario.comment(live, 'alice', '/ack');
  await scenario.comment(live, 'dana', '/ack');
  expect(host.ran('/api/v2/silences')).toHaveLength(1);
});

test('hostile group labels reach the host as inert data: a real bash runs the script with a fake curl', async () => {
  const hostile = {
    alertname: 'SlackKBAgentDown',
    instance: `x'; touch PWNED; echo '`,
    job: '$(touch PWNED2)`touch PWNED3`',
    env: 'line1\nSILENCE_0000000000000000\ntouch PWNED4',
    team: 'ünïcødé ☃ \u202e',
  };
  const issue = await openFromAlert(down(hostile));
  await scenario.comment(issue, 'alice', '/ack');
  const script = host.ran('/api/v2/silences')[0]!.script;
  // Printable ASCII only, and the body one line.
  expect(script).toMatch(/^[\x20-\x7e\n]*$/);
  const dir = mkdtempSync(join(tmpdir(), 'silence-'));
  try {
    writeFileSync(join(dir, 'curl'), `#!/bin/sh\ncat > "${dir}/body.json"\necho '{"silenceID":"${ID}"}'\n`);
    chmodSync(join(dir, 'curl'), 0o755);
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], {
      cwd: dir,
      env: { PATH: `${dir}:/usr/bin:/bin`, ALERTMANAGER_URL: 'http://127.0.0.1:1' },
      encoding: 'utf8',
    });
    expect(parseCreated(out)).toBe(ID);
    const sent = JSON.parse(readFileSync(join(dir, 'body.json'), 'utf8')) as {
      matchers: { name: string; value: string }[];
    };
    expect(Object.fromEntries(sent.matchers.map((matcher) => [matcher.name, matcher.value]))).toEqual({
      ...hostile,
      service: 'slack-kb-agent',
    });
    for (const marker of ['PWNED', 'PWNED2', 'PWNED3', 'PWNED4'])
      expect(existsSync(join(dir, marker))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the scripts refuse what they cannot carry safely', () => {
  expect(() => expireScript('4f1c3a9e; rm -rf /')).toThrow();
  const request = {
    matchers: { alertname: 'X' },
    startsAt: T0,
    endsAt: T0,
    createdBy: 'a',
    comment: 'SILENCE_DEADBEEF',
  };
  expect(() => createScript(request, 'SILENCE_DEADBEEF')).toThrow(/delimiter/);
  expect(() => createScript(request, "EOF'; id; '")).toThrow(/delimiter/);
  expect(parseCreated('curl: (22) 400\n{"silenceID":"not-a-uuid"}')).toBeUndefined();
  // A host without ALERTMANAGER_URL stops before curl, saying what to set.
  let said = '';
  try {
    execFileSync('bash', ['--norc', '--noprofile', '-c', expireScript(ID)], {
      env: { PATH: '/usr/bin:/bin' },
      stdio: 'pipe',
    });
  } catch (error) {
    said = String((error as { stderr?: Buffer }).stderr);
  }
  expect(said).toMatch(
    /ALERTMANAGER_URL: is not set for this account: set it in the env of the runbook target, or of the account/,
  );
});
