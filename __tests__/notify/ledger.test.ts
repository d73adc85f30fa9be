// The delivery ledger kept in the board's record: what is owed to the channel, how it goes out,
// and what a delivery or a failure leaves behind.
import type { Change } from '../../src/incident/state.ts';
import {
  afterDelivery,
  batches,
  deliveryView,
  ledgerSchema,
  owed,
  startLedger,
  type Ledger,
} from '../../src/notify/ledger.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 3, minute));
const change = (minute: number, event: Change['event'] = 'update', rank = 0): Change => ({
  key: `${event}:${(at(minute).getTime() / 1000).toString(36)}:${rank}`,
  event,
  at: at(minute),
  by: 'dana',
});

test('a new incident owes every change; a board from before the channel owes nothing older than now', () => {
  const changes = [change(0, 'declared'), change(5)];
  expect(owed(changes, startLedger('Slack', undefined, false, at(6)))).toEqual(changes);
  const late = startLedger('Slack', undefined, true, at(6));
  expect(owed(changes, late)).toEqual([]);
  expect(owed([...changes, change(7)], late)).toEqual([change(7)]);
  // Another channel (the webhook changed to another workspace's) starts afresh from now.
  const previous: Ledger = { channel: 'Teams', sent: [changes[0]!.key] };
  expect(startLedger('Slack', previous, true, at(6))).toEqual({
    channel: 'Slack',
    sent: [],
    since: at(6).toISOString(),
  });
});

test('up to three owed changes go one message each; more go as one digest', () => {
  const three = [change(1), change(2), change(3)];
  expect(batches(three)).toEqual(three.map((one) => [one]));
  expect(batches([...three, change(4)])).toEqual([[...three, change(4)]]);
  expect(batches([])).toEqual([]);
});

test('a delivery clears the failure and marks the batch sent; a failure keeps what was sent', () => {
  const changes = [change(0, 'declared'), change(5)];
  let ledger: Ledger = { channel: 'Slack', sent: [] };
  ledger = afterDelivery(ledger, [changes[0]!], { delivered: true, attempts: 1 }, at(0), changes);
  ledger = afterDelivery(
    ledger,
    [changes[1]!],
    { delivered: false, attempts: 4, error: 'HTTP 503' },
    at(5),
    changes,
  );
  expect(ledger).toEqual({
    channel: 'Slack',
    sent: [changes[0]!.key],
    deliveredAt: at(0).toISOString(),
    failure: { at: at(5).toISOString(), error: 'HTTP 503', attempts: 4 },
  });
  expect(deliveryView(ledger, changes)).toMatchObject({ delivered: 1, owed: 1, failure: { attempts: 4 } });
  ledger = afterDelivery(ledger, [changes[1]!], { delivered: true, attempts: 2 }, at(10), changes);
  expect(ledger.failure).toBeUndefined();
  expect(owed(changes, ledger)).toEqual([]);
  expect(deliveryView(ledger, changes)).toMatchObject({ delivered: 2, owed: 0, failure: undefined });
  expect(ledgerSchema.safeParse(ledger).success).toBe(true);
});

test('the ledger stays bounded: the oldest keys give way and are not owed again', () => {
  const changes = Array.from({ length: 450 }, (_, index) => change(index % 60, 'update', index));
  changes.sort((a, b) => a.at.getTime() - b.at.getTime());
  let ledger: Ledger = { channel: 'Slack', sent: [] };
  for (const one of changes)
    ledger = afterDelivery(ledger, [one], { delivered: true, attempts: 1 }, at(59), changes);
  expect(ledger.sent).toHaveLength(400);
  expect(ledgerSchema.safeParse(ledger).success).toBe(true);
  // Nothing delivered is owed again, the trimmed ones included.
  expect(owed(changes, ledger)).toEqual([]);
});

test('a failure message from the adapter is cut to what the record holds', () => {
  const ledger = afterDelivery(
    { channel: 'Slack', sent: [] },
    [change(1)],
    { delivered: false, attempts: 1, error: 'x'.repeat(1000) },
    at(1),
    [change(1)],
  );
  expect(ledgerSchema.safeParse(ledger).success).toBe(true);
});
