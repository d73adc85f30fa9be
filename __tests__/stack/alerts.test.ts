// Alerts in, end to end: the real Prometheus evaluates the runbook's rules on the real agent made
// to fail, the real Alertmanager groups and sends, the bundled relay (dist/cli) forwards the body
// as repository_dispatch into the GitHub emulator, and the bundled action opens the incident.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';
import { onStack, useStack } from '../../harness/stack/for-tests.ts';
import { stackDocker, waitForHealthy } from '../../harness/stack/stack.ts';

jest.setTimeout(480_000);

const stack = useStack();
const CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const DISPATCH_TOKEN = 'github_pat_relayDispatchToken0000000000000000000';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let relay: ChildProcess;
let relayLog = '';

async function until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`waited ${timeoutMs / 1000} s for ${what}; relay log:\n${relayLog}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const statusOf = (dispatch: { clientPayload: unknown }) =>
  (dispatch.clientPayload as { alertmanager?: { status?: string } }).alertmanager?.status;

beforeAll(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    roles: { alice: 'write', 'relay-bot': 'write' },
    inputs: { ...sshInputs(stack()), runbook: 'builtin' },
  }));
  emulator.addToken(DISPATCH_TOKEN, 'relay-bot');
  const [owner, name] = emulator.repo().fullName.split('/');
  relay = spawn(
    process.execPath,
    [
      CLI,
      'alertmanager-relay',
      ...['--repo', `${owner}/${name}`, '--listen', `127.0.0.1:${stack().relayPort}`],
      ...['--api-url', emulator.url, '--secret-file', stack().relaySecretPath],
    ],
    { env: { PATH: process.env.PATH ?? '', INCIDENT_ISSUEOPS_DISPATCH_TOKEN: DISPATCH_TOKEN } },
  );
  relay.stdout?.on('data', (chunk: Buffer) => (relayLog += chunk.toString()));
  relay.stderr?.on('data', (chunk: Buffer) => (relayLog += chunk.toString()));
  await until('the relay to listen', () => (relayLog.includes('Relaying') ? true : undefined), 15_000);
});

afterAll(async () => {
  relay?.kill('SIGTERM');
  await emulator?.close();
  // Whatever happened, leave the agent running for the files that follow.
  await onStack(stack(), 'docker-compose up -d 2>&1').catch(() => '');
});

test('the agent down: one P0 incident from SlackKBAgentDown, repeats post nothing, resolved is recorded', async () => {
  const docker = stackDocker(stack());
  // The relay refuses Alertmanager's post without the shared secret.
  const anonymous = await fetch(`http://127.0.0.1:${stack().relayPort}/alertmanager`, {
    method: 'POST',
    body: '{}',
  });
  expect(anonymous.status).toBe(401);

  // Alertmanager's log from here on (an earlier file may have made it fire with no relay up).
  const logFrom = (await readFile(stack().logs.alertmanager)).length;
  await docker(['stop', '-t', '2', 'slack-kb-agent']);
  try {
    // up == 0 for the rule's 1 minute, then Alertmanager's group_wait.
    await until(
      'a firing notification',
      () => emulator.dispatches.find((d) => statusOf(d) === 'firing'),
      180_000,
    );
    const [opened] = await scenario.runDispatches();
    expect(opened?.outputs).toMatchObject({ status: 'success', reason: 'alert-opened', command: 'alert' });
    expect(emulator.dispatches[0]).toMatchObject({ eventType: 'alertmanager', actor: 'relay-bot' });
    const incidents = () =>
      emulator
        .listIssues()
        .filter((issue) =>
          issue.labels.some((label) => (typeof label === 'string' ? label : label.name) === 'incident:alert'),
        );
    expect(incidents()).toHaveLength(1);
    const issue = incidents()[0]!;
    expect(issue.title).toBe('SlackKBAgentDown: Slack KB Agent is down');
    const board = scenario.board(issue.number);
    expect(board).toContain('## 🔍 P0 — Critical · investigating');
    expect(board).toContain('| Alert | `SlackKBAgentDown` |');
    expect(board).toMatch(
      new RegExp(
        `\\| Source \\| \\[Prometheus\\]\\(http://[^)]+:${stack().prometheusUrl.split(':').at(-1)}/graph`,
      ),
    );
    const comments = emulator.listComments(issue.number).length;

    // Alertmanager repeats the group while it fires (repeat_interval): the board counts, no comment.
    await until(
      'a repeated notification',
      () => (emulator.dispatches.length >= 2 ? true : undefined),
      60_000,
    );
    const repeats = await scenario.runDispatches();
    expect(repeats.map((run) => run.outputs.reason)).toEqual(repeats.map(() => 'alert-updated'));
    expect(incidents()).toHaveLength(1);
    expect(emulator.listComments(issue.number)).toHaveLength(comments);
    expect(scenario.board(issue.number)).toMatch(/\| Notifications \| [2-9]\d*, last /);

    // The agent comes back: the alert resolves, and the timeline says so.
    await onStack(stack(), 'docker-compose up -d slack-kb-agent 2>&1');
    await waitForHealthy(stack());
    await until(
      'the resolved notification',
      () => emulator.dispatches.find((d) => statusOf(d) === 'resolved'),
      120_000,
    );
    const after = await scenario.runDispatches();
    expect(after.map((run) => run.outputs.reason)).toContain('alert-resolved');
    expect(emulator.listComments(issue.number).at(-1)?.body).toContain(
      '✅ **Alertmanager: the alert group resolved**',
    );
    expect(scenario.board(issue.number)).toContain('#### 🚨 Alert: resolved');
    expect(emulator.getIssue(issue.number)?.state).toBe('open');
    expect(emulator.violations).toEqual([]);
    // The token never left the relay: not in its log, not on the issue.
    expect(relayLog).not.toContain(DISPATCH_TOKEN);
    expect(JSON.stringify(emulator.listComments(issue.number))).not.toContain(DISPATCH_TOKEN);
    const log = (await readFile(stack().logs.alertmanager)).subarray(logFrom).toString('utf8');
    expect(log).not.toMatch(/level=(error|warn).*incident-issueops/);
  } finally {
    await onStack(stack(), 'docker-compose up -d 2>&1');
  }
});

interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  createdBy: string;
  comment: string;
  endsAt: string;
}

async function alertmanagerApi<T>(path: string): Promise<T> {
  const response = await fetch(`${stack().alertmanagerUrl}/api/v2${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

test('/ack silences the group in the real Alertmanager (its alert suppressed, no repeat); /resolve expires it', async () => {
  const docker = stackDocker(stack());
  // The open incident of the test above (the same group fires again into it).
  const issue = emulator.listIssues().find((candidate) => candidate.title.startsWith('SlackKBAgentDown'))!;
  const before = emulator.dispatches.length;
  await docker(['stop', '-t', '2', 'slack-kb-agent']);
  try {
    await until(
      'the group firing again',
      () => emulator.dispatches.slice(before).find((d) => statusOf(d) === 'firing'),
      180_000,
    );
    expect((await scenario.runDispatches()).map((run) => run.outputs.reason)).toContain('alert-updated');

    const { run } = await scenario.comment(issue.number, 'alice', '/ack');
    expect(run.outputs).toMatchObject({ status: 'success', reason: 'ack' });
    const silences = await alertmanagerApi<Silence[]>('/silences');
    const mine = silences.filter((silence) => silence.createdBy === 'alice (incident-issueops)');
    expect(mine).toHaveLength(1);
    const silence = mine[0]!;
    expect(silence.status.state).toBe('active');
    // The group's labels and the ones its alerts share: this group's alerts, not every team's
    // SlackKBAgentDown.
    expect(silence.matchers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'alertname', value: 'SlackKBAgentDown', isRegex: false }),
        expect.objectContaining({ name: 'job', value: 'slack-kb-agent', isRegex: false }),
        expect.objectContaining({ name: 'instance', value: `127.0.0.1:${stack().appPort}`, isRegex: false }),
      ]),
    );
    expect(silence.matchers.every((matcher) => !matcher.isRegex && matcher.isEqual !== false)).toBe(true);
    expect(silence.comment).toContain(`/issues/${issue.number}`);
    expect(emulator.listComments(issue.number).at(-1)?.body).toContain(
      `🔕 **Silenced in Alertmanager** until`,
    );
    expect(scenario.board(issue.number)).toContain(`/#/silences/${silence.id}) 🔕 active until`);

    // Alertmanager holds the firing alert as suppressed by that silence, and sends no repeat.
    const alerts = await alertmanagerApi<
      { labels: Record<string, string>; status: { state: string; silencedBy: string[] } }[]
    >('/alerts?filter=alertname%3D%22SlackKBAgentDown%22');
    expect(alerts.map((alert) => alert.status)).toEqual([
      expect.objectContaining({ state: 'suppressed', silencedBy: [silence.id] }),
    ]);
    const quiet = emulator.dispatches.length;
    await new Promise((resolve) => setTimeout(resolve, 15_000)); // more than two repeat_intervals (6 s)
    expect(emulator.dispatches.length).toBe(quiet);

    await onStack(stack(), 'docker-compose up -d slack-kb-agent 2>&1');
    await waitForHealthy(stack());
    const resolved = await scenario.comment(issue.number, 'alice', '/resolve The agent is back --force');
    expect(resolved.run.outputs).toMatchObject({ status: 'success', reason: 'resolved' });
    const after = await alertmanagerApi<Silence>(`/silence/${silence.id}`);
    expect(after.status.state).toBe('expired');
    expect(
      emulator
        .listComments(issue.number)
        .map((comment) => comment.body ?? '')
        .find((body) => body.startsWith('# Postmortem')),
    ).toContain(`🔔 The Alertmanager silence \`${silence.id}\` was expired`);
    expect(emulator.violations).toEqual([]);
  } finally {
    await onStack(stack(), 'docker-compose up -d 2>&1');
  }
});
