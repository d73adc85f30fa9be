// The Slack notifier against a local server that answers as Slack's incoming webhooks do: what
// reaches the channel, how it retries (5xx, 429 with Retry-After, a dropped connection), where it
// stops (a 4xx no retry changes), and that the webhook's URL never appears in what it reports.
import { startSlackServer, type SlackServer } from '../../harness/slack/server.ts';
import type { Change } from '../../src/incident/state.ts';
import type { Announcement } from '../../src/notify/port.ts';
import { createSlackNotifier } from '../../src/notify/slack.ts';
import { renderSlackMessage } from '../../src/notify/slack-message.ts';

let slack: SlackServer;
let waits: number[];
let logs: string[];

beforeEach(async () => {
  slack = await startSlackServer();
  waits = [];
  logs = [];
});
afterEach(() => slack.close());

const notifier = (url = slack.url, timeoutMs = 2000) =>
  createSlackNotifier({
    url,
    sleep: async (ms) => {
      waits.push(ms);
    },
    log: (message) => logs.push(message),
    timeoutMs,
  });

const change = (over: Partial<Change> = {}): Change => ({
  key: 'update:x:0',
  event: 'update',
  at: new Date('2026-11-26T03:20:00Z'),
  by: 'alice',
  text: 'Rolled back to v1.4.2; error rate falling.',
  ...over,
});

const announcement = (over: Partial<Announcement> = {}): Announcement => ({
  changes: [change()],
  issue: { number: 12, title: 'KB agent answers 503', url: 'https://github.com/acme/kb/issues/12' },
  severity: { key: 'p0', name: 'Critical' },
  phase: 'investigating',
  commander: 'bob',
  nextUpdateDue: new Date('2026-11-26T03:50:00Z'),
  declaredAt: new Date('2026-11-26T03:00:00Z'),
  now: new Date('2026-11-26T03:20:00Z'),
  ...over,
});

test('the message as the channel receives it: Block Kit and its plain-text fallback', async () => {
  expect(await notifier().deliver(announcement())).toEqual({ delivered: true, attempts: 1 });
  expect(slack.messages).toHaveLength(1);
  expect(slack.messages[0]?.body).toEqual({
    text: 'P0 Status update: KB agent answers 503 — "Rolled back to v1.4.2; error rate falling." — state investigating, commander @bob, next update 03:50 UTC (in 30 min) — https://github.com/acme/kb/issues/12',
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: '🔴 P0 · Status update: KB agent answers 503', emoji: true },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Status update* by @alice at 03:20 UTC\n>Rolled back to v1.4.2; error rate falling.',
          verbatim: true,
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\nP0 — Critical' },
          { type: 'mrkdwn', text: '*State*\ninvestigating' },
          { type: 'mrkdwn', text: '*Commander*\n@bob' },
          { type: 'mrkdwn', text: '*Next update*\n03:50 UTC (in 30 min)' },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: '<https://github.com/acme/kb/issues/12|#12 KB agent answers 503> · declared 03:00 UTC · commands on the issue',
            verbatim: true,
          },
        ],
      },
    ],
    unfurl_links: false,
    unfurl_media: false,
  });
});

test('a hostile title or update cannot mention the channel, link elsewhere or break the blocks', async () => {
  const hostile = announcement({
    issue: {
      number: 7,
      title: '<!channel> <@U0ADMIN> <https://evil.example|click> & ' + 'x'.repeat(400),
      url: 'https://github.com/acme/kb/issues/7',
    },
    changes: [change({ text: `<!here> urgent\n${'y'.repeat(5000)}`, by: 'mallory' })],
  });
  expect(await notifier().deliver(hostile)).toMatchObject({ delivered: true });
  const body = JSON.stringify(slack.messages[0]?.body);
  for (const markup of ['<!channel>', '<@U0ADMIN>', '<https://evil.example', '<!here>'])
    expect(body).not.toContain(markup);
  expect(body).toContain('&lt;!channel&gt;');
  // Slack accepted it: every block within its limits.
  expect(slack.requests.map((request) => request.status)).toEqual([200]);
});

test('a digest: many changes owed at once go out as one message that lists them', () => {
  const changes = ['declared', 'commander', 'update', 'severity'].map((event, index) =>
    change({
      key: `${event}:${index}`,
      event: event as Change['event'],
      text: event === 'commander' ? 'bob' : event === 'severity' ? 'p1' : event === 'declared' ? 'p0' : 'x',
    }),
  );
  const message = renderSlackMessage(announcement({ changes, severity: { key: 'p1', name: 'High' } }));
  const header = message.blocks[0];
  expect(header).toMatchObject({
    text: { text: '🟠 P1 · 4 changes since the last message: KB agent answers 503' },
  });
  const lines = (message.blocks[1] as { text: { text: string } }).text.text;
  expect(lines).toContain('*P0 declared* by @alice');
  expect(lines).toContain('*Commander: @bob*');
  expect(lines).toContain('*Severity now P1*');
});

test('a 5xx once: retried after a backoff, and the channel shows one message', async () => {
  slack.fail({ kind: 'status', status: 500, body: 'rollup_error' });
  expect(await notifier().deliver(announcement())).toEqual({ delivered: true, attempts: 2 });
  expect(slack.messages).toHaveLength(1);
  expect(waits).toEqual([1000]);
  expect(slack.requests.map((request) => request.status)).toEqual([500, 200]);
});

test("a 429 waits the Retry-After Slack sends, not the backoff's guess", async () => {
  slack.fail({ kind: 'rate-limit', retryAfter: 3 });
  expect(await notifier().deliver(announcement())).toEqual({ delivered: true, attempts: 2 });
  expect(waits).toEqual([3000]);
  expect(slack.messages).toHaveLength(1);
});

test('a Retry-After too long for this run is left to the next run, said so', async () => {
  slack.fail({ kind: 'rate-limit', retryAfter: 600 });
  const delivery = await notifier().deliver(announcement());
  expect(delivery).toEqual({
    delivered: false,
    attempts: 1,
    error: 'HTTP 429 rate_limited (rate limited); Slack asked to wait 600 s, so the next run delivers',
  });
  expect(waits).toEqual([]);
});

test('Slack down for the whole run: four attempts with doubling waits, then a failure that says what Slack answered', async () => {
  slack.fail(
    ...Array.from({ length: 4 }, () => ({
      kind: 'status' as const,
      status: 503,
      body: 'service_unavailable',
    })),
  );
  expect(await notifier().deliver(announcement())).toEqual({
    delivered: false,
    attempts: 4,
    error: 'HTTP 503 service_unavailable',
  });
  expect(waits).toEqual([1000, 2000, 4000]);
  expect(slack.messages).toHaveLength(0);
});

test('a removed webhook (404 no_service) is not retried, and the error says what to do without the URL', async () => {
  const gone = `${new URL(slack.url).origin}/services/T0INCIDENT/B0GONE/an0therS3cretT0ken`;
  const delivery = await notifier(gone).deliver(announcement());
  expect(delivery).toEqual({
    delivered: false,
    attempts: 1,
    error: 'HTTP 404 no_service: the webhook no longer exists: create a new one and update the secret',
  });
  expect(JSON.stringify(delivery) + logs.join('\n')).not.toContain('an0therS3cretT0ken');
  expect(waits).toEqual([]);
});

test('a dropped connection and an unreachable Slack are retried; neither report carries the URL', async () => {
  slack.fail({ kind: 'drop' });
  expect(await notifier().deliver(announcement())).toEqual({ delivered: true, attempts: 2 });
  const gone = await startSlackServer();
  await gone.close();
  const closed = gone.url;
  const delivery = await notifier(closed).deliver(announcement());
  expect(delivery).toEqual({ delivered: false, attempts: 4, error: 'could not reach Slack (ECONNREFUSED)' });
  expect(JSON.stringify(delivery) + logs.join('\n')).not.toContain('s3cr3tW3bh00kT0k3n');
});

test('a Slack that never answers times out per request; a late ok may post twice (at least once, never lost)', async () => {
  slack.fail({ kind: 'delay', ms: 1500 });
  const delivery = await notifier(slack.url, 500).deliver(announcement());
  expect(delivery).toEqual({ delivered: true, attempts: 2 });
  await new Promise((resolve) => setTimeout(resolve, 1200));
  // The first request reached Slack after the client gave up on it: at least once, as documented.
  expect(slack.messages).toHaveLength(2);
});

test('the contract server refuses what Slack refuses', async () => {
  const post = (body: string, type = 'application/json') =>
    fetch(slack.url, { method: 'POST', headers: { 'content-type': type }, body }).then(
      async (response) => `${response.status} ${await response.text()}`,
    );
  expect(await post('{"text":""}')).toBe('400 no_text');
  expect(await post('not json')).toBe('400 invalid_payload');
  expect(await post('text=hi', 'application/x-www-form-urlencoded')).toBe('400 invalid_payload');
  expect(
    await post(JSON.stringify({ blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }] })),
  ).toBe('400 invalid_blocks');
  expect(
    await post(
      JSON.stringify({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] }),
    ),
  ).toBe('400 invalid_blocks');
  expect(await post('{"text":"hi"}')).toBe('200 ok');
});
