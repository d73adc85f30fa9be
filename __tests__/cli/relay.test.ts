// The Alertmanager relay's decisions, with its GitHub call (our own port) replaced: what
// Alertmanager is told for each kind of post, and how it retries what GitHub refuses for now.
import { notification } from '../../harness/alertmanager/notification.ts';
import { MAX_BODY_BYTES, startRelay, type DispatchResult, type Relay } from '../../src/cli/relay.ts';

const SECRET = 'a shared secret of enough length';
let relay: Relay;
let answers: DispatchResult[];
let sent: unknown[];
let slept: number[];

beforeEach(async () => {
  answers = [];
  sent = [];
  slept = [];
  relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    repo: { owner: 'octo-org', name: 'incidents' },
    secret: SECRET,
    dispatch: async (body) => {
      sent.push(body);
      return answers.shift() ?? { status: 204 };
    },
    sleep: async (ms) => void slept.push(ms),
    log: () => {},
  });
});

afterEach(() => relay.close());

const post = (body: string, auth = `Bearer ${SECRET}`) =>
  fetch(relay.url, { method: 'POST', body, headers: { authorization: auth } });

test('a notification is forwarded unchanged as repository_dispatch "alertmanager"', async () => {
  const body = notification({ alerts: [{ alertname: 'SlackKBAgentDown' }] });
  const response = await post(JSON.stringify(body));
  expect(response.status).toBe(200);
  expect(sent).toEqual([
    // `group` is groupId(groupKey): the workflow's concurrency key, kept short.
    {
      event_type: 'alertmanager',
      client_payload: { alertmanager: body, group: expect.stringMatching(/^[0-9a-f]{16}$/) },
    },
  ]);
});

test.each([
  ['no secret', '{}', '', 401],
  ['a wrong secret of the same length', '{}', `Bearer ${'x'.repeat(SECRET.length)}`, 401],
  ['a body that is not JSON', 'not json', undefined, 400],
  ['a JSON body that is not a notification', '{"version":"4","alerts":[]}', undefined, 400],
])('%s is refused (%s) and nothing reaches GitHub', async (_, body, auth, status) => {
  const response = await post(body, auth);
  expect(response.status).toBe(status);
  expect(await response.text()).not.toBe('');
  expect(sent).toEqual([]);
});

test('a body too big is refused with the setting that fixes it', async () => {
  const response = await post('x'.repeat(MAX_BODY_BYTES + 1));
  expect(response.status).toBe(413);
  expect(await response.text()).toContain('max_alerts');
});

test("GitHub's 5xx and 429 are retried, honouring Retry-After; then Alertmanager hears success", async () => {
  answers = [{ status: 502 }, { status: 429, retryAfter: 7 }, { status: 204 }];
  const response = await post(JSON.stringify(notification({ alerts: [{ alertname: 'HighErrorRate' }] })));
  expect(response.status).toBe(200);
  expect(sent).toHaveLength(3);
  expect(slept).toEqual([1000, 7000]);
});

test('when GitHub keeps refusing, Alertmanager gets a 5xx so that it retries; a 4xx is not retried', async () => {
  answers = [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
  const down = await post(JSON.stringify(notification({ alerts: [{ alertname: 'HighErrorRate' }] })));
  expect(down.status).toBe(502);
  expect(sent).toHaveLength(4);
  sent = [];
  answers = [{ status: 404, message: 'Not Found' }];
  const wrong = await post(JSON.stringify(notification({ alerts: [{ alertname: 'HighErrorRate' }] })));
  expect(wrong.status).toBe(502);
  expect(await wrong.text()).toContain('GitHub answered 404: Not Found');
  expect(sent).toHaveLength(1);
  // A body GitHub will never take (422) is a 4xx for Alertmanager: retrying cannot help.
  answers = [{ status: 422, message: 'client_payload is too large' }];
  const never = await post(JSON.stringify(notification({ alerts: [{ alertname: 'HighErrorRate' }] })));
  expect(never.status).toBe(400);
});
