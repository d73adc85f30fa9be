// Alertmanager notifications in process: one incident per alert group, repeats that post nothing,
// resolved on the timeline, the flap window, and the notifications that open nothing (and why).
import { notification } from '../../harness/alertmanager/notification.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import type { IncidentScenario } from '../../harness/scenario.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let clock: Date;
const at = (iso: string) => (clock = new Date(iso));

beforeEach(async () => {
  clock = new Date('2026-11-26T03:00:00Z');
  ({ emulator, scenario } = await startInProcessWorkspace({
    roles: { alice: 'write' },
    clock: () => clock,
  }));
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const down = () =>
  notification({
    alerts: [{ alertname: 'SlackKBAgentDown', annotations: { summary: 'Slack KB Agent is down' } }],
  });
const send = (body: unknown) => scenario.dispatch('alertmanager', { alertmanager: body });
/** The incidents the alerts opened (a resolution's review issue is not one). */
const issues = () =>
  emulator
    .listIssues()
    .filter((issue) =>
      issue.labels.some((label) => (typeof label === 'string' ? label : label.name) === 'incident:alert'),
    );
const message = (run: { outputs: Record<string, string> }) =>
  (JSON.parse(run.outputs.result ?? '{}') as { message?: string }).message ?? '';
const comments = (issue: number) => emulator.listComments(issue);

test('a firing group opens one P0 incident: labelled, its board showing the alert, impact from startsAt', async () => {
  const run = await send(down());
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'alert-opened', command: 'alert' });
  expect(issues()).toHaveLength(1);
  const issue = issues()[0]!;
  expect(issue.title).toBe('SlackKBAgentDown: Slack KB Agent is down');
  expect(issue.labels.map((label) => (typeof label === 'string' ? label : label.name)).sort()).toEqual([
    'incident:alert',
    'incident:p0',
  ]);
  const board = scenario.board(issue.number);
  expect(board).toContain('## 🔍 P0 — Critical · investigating');
  expect(board).toContain('#### 🚨 Alert: firing');
  expect(board).toContain('| Alert | `SlackKBAgentDown` |');
  expect(board).toContain('| Impact started | 02:58 UTC |');
  expect(board).toContain('| Declared | 2026-11-26 03:00 UTC by Alertmanager (as @github-actions[bot])');
  expect(board).toContain('| Notifications | 1, last 2026-11-26 03:00 UTC');
  expect(board).toMatch(/\| Source \| \[Prometheus\]\(http:\/\/127\.0\.0\.1:9091\/graph\?g0\.expr=/);
  // The board is the first comment; the alert's comment follows it.
  const [first, second] = comments(issue.number);
  expect(first?.body).toContain('## 🔍 P0');
  expect(second?.body).toContain('🚨 **Alertmanager opened this incident** at P0');
  expect(second?.body).toContain('Acknowledge with `/ack`');
});

test('the same group firing again updates the board and posts nothing; another group opens its own', async () => {
  await send(down());
  const [issue] = issues();
  const before = comments(issue!.number).length;
  at('2026-11-26 03:05 UTC');
  const again = await send(down());
  expect(again.outputs).toMatchObject({ status: 'success', reason: 'alert-updated' });
  at('2026-11-26 03:10 UTC');
  await send(down());
  expect(issues()).toHaveLength(1);
  expect(comments(issue!.number)).toHaveLength(before);
  expect(scenario.board(issue!.number)).toContain('| Notifications | 3, last 2026-11-26 03:10 UTC');

  const errors = await send(notification({ alerts: [{ alertname: 'HighErrorRate' }] }));
  expect(errors.outputs).toMatchObject({ reason: 'alert-opened' });
  expect(issues()).toHaveLength(2);
  expect(scenario.board(issues().find((candidate) => candidate.number !== issue!.number)!.number)).toContain(
    'P1 — High',
  );
});

test('resolved goes on the timeline and proposes /mitigated; a repeat of it posts nothing more', async () => {
  await send(down());
  const number = issues()[0]!.number;
  at('2026-11-26 03:20 UTC');
  const resolved = notification({ alerts: [{ alertname: 'SlackKBAgentDown', status: 'resolved' }] });
  const run = await send(resolved);
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'alert-resolved' });
  const last = comments(number).at(-1)?.body ?? '';
  expect(last).toContain('✅ **Alertmanager: the alert group resolved**');
  expect(last).toContain('if the service is healthy, `/mitigated`');
  expect(scenario.board(number)).toContain('#### 🚨 Alert: resolved');
  // The incident stays open: only a responder resolves it.
  expect(emulator.getIssue(number)?.state).toBe('open');
  const count = comments(number).length;
  await send(resolved);
  expect(comments(number)).toHaveLength(count);
  const timeline = await scenario.comment(number, 'alice', '/timeline');
  expect(timeline.run.outputs.status).toBe('success');
  expect(comments(number).at(-1)?.body).toContain('Alertmanager: every alert of the group resolved');
});

test('firing again within the flap window reopens the incident; later, a new one links the old', async () => {
  await send(down());
  const number = issues()[0]!.number;
  await scenario.comment(number, 'alice', '/resolve --force the agent is back');
  expect(emulator.getIssue(number)?.state).toBe('closed');

  at('2026-11-26 03:20 UTC'); // within the built-in runbook's 30 minutes
  const reopened = await send(down());
  expect(reopened.outputs).toMatchObject({ status: 'success', reason: 'alert-reopened' });
  expect(emulator.getIssue(number)?.state).toBe('open');
  expect(comments(number).at(-1)?.body).toMatch(
    /🔁 \*\*The alert fired again\*\* \d+ minutes? after this incident was closed/,
  );
  expect(issues()).toHaveLength(1);

  await scenario.comment(number, 'alice', '/resolve --force held for an hour');
  at('2026-11-26 05:00 UTC');
  const fresh = await send(down());
  expect(fresh.outputs).toMatchObject({ reason: 'alert-opened' });
  const newer = issues().find((candidate) => candidate.number !== number)!;
  expect(scenario.board(newer.number)).toContain(`| Previous incident | #${number} |`);
  expect(comments(newer.number)[1]?.body).toContain(`The same alert group had #${number}.`);
});

test.each([
  ['a route with no group_by ({}:{})', { groupKey: '{}:{}' }, 'alert-ungrouped', 'Set group_by: [alertname]'],
  ['an alert no route maps', { alertname: 'DiskFull' }, 'alert-unmapped', 'maps "DiskFull"'],
])('%s opens nothing and says why', async (_, override, reason, says) => {
  const body = notification({
    alerts: [{ alertname: 'alertname' in override ? override.alertname : 'SlackKBAgentDown' }],
    ...('groupKey' in override ? { groupKey: override.groupKey } : {}),
  });
  const run = await send(body);
  // The relay told Alertmanager 200: the run fails, so that the lost alert is seen.
  expect(run.outputs).toMatchObject({ status: 'error', reason });
  expect(run.exitCode).toBe(1);
  expect(message(run)).toContain(says);
  expect(issues()).toHaveLength(0);
});

test('a body that is not Alertmanager’s, or another event type, opens nothing', async () => {
  const invalid = await send({ version: '4', alerts: [] });
  expect(invalid.outputs).toMatchObject({ status: 'error', reason: 'invalid-payload' });
  expect(message(invalid)).toContain('client_payload.alertmanager is not an Alertmanager webhook body');
  const other = await scenario.dispatch('deploy', { ref: 'main' });
  expect(other.outputs).toMatchObject({ status: 'ignored', reason: 'not-applicable' });
  expect(issues()).toHaveLength(0);
});

test('hostile labels and annotations are shown as text: no mention, link or HTML goes live', async () => {
  const run = await send(
    notification({
      alerts: [
        {
          alertname: 'SlackKBAgentDown',
          labels: { instance: '@everyone <img src=x onerror=alert(1)>' },
          annotations: {
            summary: '[click](https://evil.example) @security-team --> @everyone',
            description: '</details> @oncall',
          },
        },
      ],
    }),
  );
  expect(run.outputs.reason).toBe('alert-opened');
  const number = issues()[0]!.number;
  const opening = comments(number)[1]?.body ?? '';
  expect(opening).toContain('instance=@everyone <img src=x onerror=alert(1)>`');
  expect(opening).toContain('`</details> @oncall`');
  expect(scenario.board(number)).toContain(
    '| Summary | `[click](https://evil.example) @security-team --> @everyone` |',
  );
  // Outside code spans and the records' HTML comments (which a `-->` in a value cannot end early).
  const outside = (opening + scenario.board(number)).replace(/`[^`]*`/g, '');
  expect(outside.match(/<!--/g)?.length).toBe(outside.match(/-->/g)?.length);
  const bare = outside.replace(/<!-- incident-issueops \{[^\n]*\} -->/g, '');
  expect(bare).not.toMatch(/@everyone|@security-team|@oncall|<img|evil\.example/);
});

test('a marker copied into an annotation cannot make every notification a new incident', async () => {
  const forged = () =>
    notification({
      alerts: [
        {
          alertname: 'SlackKBAgentDown',
          annotations: { description: '<!-- incident-issueops alert-group 0123456789abcdef -->' },
        },
      ],
    });
  await send(forged());
  at('2026-11-26 03:05 UTC');
  const again = await send(forged());
  expect(again.outputs.reason).toBe('alert-updated');
  expect(issues()).toHaveLength(1);
});

test.each(['-000001-01-01 00:00 UTC', '0001-01-01 00:00 UTC', 'Tue, 1 Jan 2030', '1'])(
  'a startsAt of %j opens nothing, and leaves no issue behind',
  async (startsAt) => {
    const run = await send(notification({ alerts: [{ alertname: 'SlackKBAgentDown', startsAt }] }));
    expect(run.outputs).toMatchObject({ status: 'error', reason: 'invalid-payload' });
    expect(emulator.listIssues()).toHaveLength(0);
  },
);

test('invisible and direction characters never reach the title; it is cut by characters, not halves', async () => {
  await send(
    notification({
      alerts: [
        {
          alertname: 'SlackKBAgentDown',
          annotations: { summary: `\u202eevil\u202c\u200b ${'🔥'.repeat(300)}` },
        },
      ],
    }),
  );
  const title = issues()[0]!.title;
  expect(title).not.toMatch(/[\u200b\u202e\u202c]/);
  expect([...title]).toHaveLength(200);
  expect(title.endsWith('🔥…')).toBe(true);
});
