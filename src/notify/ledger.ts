import { z } from 'zod';
import type { Change } from '../incident/state.ts';

/**
 * What a channel has been told, kept in the status board's record (the action's own sealed
 * comment, rewritten by every run). The changes themselves come from recorded facts, so any run
 * (a command, a label, the sweep) can see which are still owed and deliver them: a notification
 * lost to a Slack outage or a cancelled run goes out on the next run, oldest first.
 *
 * Delivery is at least once: a run stopped between Slack's `ok` and the board's write sends that
 * change again on the next run. It is never silently dropped.
 */
/** Keys kept per channel; older ones give way (an incident rarely has more than a few dozen changes). */
const LEDGER_LIMIT = 400;

export const ledgerSchema = z.object({
  channel: z.string().min(1).max(40),
  /** Keys of the changes delivered (see `Change.key`), oldest first. */
  sent: z.array(z.string().min(1).max(40)).max(LEDGER_LIMIT),
  /** Changes at or before this time are not owed: the channel was set up later, or they were trimmed. */
  since: z.iso.datetime().optional(),
  deliveredAt: z.iso.datetime().optional(),
  /** Keys of changes the channel refused as malformed: never sent again, shown on the board. */
  refused: z.array(z.string().min(1).max(40)).max(100).optional(),
  refusedError: z.string().max(300).optional(),
  /** The last attempt that failed, while changes are still owed. */
  failure: z
    .object({
      at: z.iso.datetime(),
      error: z.string().max(300),
      attempts: z.number().int().min(0).max(100),
    })
    .optional(),
});

export type Ledger = z.infer<typeof ledgerSchema>;

/** Changes owed in one run go out one message each, up to this many; more are one digest. */
export const DIGEST_AFTER = 3;

/** What one delivery attempt came to, as the channel's adapter reports it. */
export type Delivery =
  | { delivered: true; attempts: number }
  /** `refused`: the channel will never take this message (a malformed one); others still go. */
  | { delivered: false; attempts: number; error: string; refused?: boolean };

/**
 * The ledger to start from. A board that predates notifications (or was written while no channel
 * was set up) owes nothing from before now: stakeholders are not flooded with a history.
 */
export function startLedger(
  channel: string,
  previous: Ledger | undefined,
  boardExists: boolean,
  now: Date,
): Ledger {
  if (previous && previous.channel === channel) return previous;
  if (!boardExists) return { channel, sent: [] };
  return { channel, sent: [], since: now.toISOString() };
}

/** The changes the channel has not been told about yet, oldest first. */
export function owed(changes: readonly Change[], ledger: Ledger): Change[] {
  const since = ledger.since ? Date.parse(ledger.since) : Number.NEGATIVE_INFINITY;
  const sent = new Set([...ledger.sent, ...(ledger.refused ?? [])]);
  return changes.filter((change) => change.at.getTime() > since && !sent.has(change.key));
}

/** How owed changes go out: one message each, or one digest when there are many. */
export function batches(changes: readonly Change[]): Change[][] {
  if (changes.length === 0) return [];
  return changes.length > DIGEST_AFTER ? [[...changes]] : changes.map((change) => [change]);
}

/** The ledger after a delivery attempt of `batch`. */
export function afterDelivery(
  ledger: Ledger,
  batch: readonly Change[],
  delivery: Delivery,
  now: Date,
  changes: readonly Change[],
): Ledger {
  if (!delivery.delivered) {
    const failure = {
      at: now.toISOString(),
      error: delivery.error.slice(0, 300),
      attempts: delivery.attempts,
    };
    if (delivery.refused)
      return {
        ...ledger,
        refused: [...(ledger.refused ?? []), ...batch.map((change) => change.key)].slice(-100),
        refusedError: failure.error,
      };
    return { ...ledger, failure };
  }
  const rest: Ledger = { ...ledger };
  delete rest.failure;
  const sent = [...ledger.sent, ...batch.map((change) => change.key)];
  if (sent.length <= LEDGER_LIMIT) return { ...rest, sent, deliveredAt: now.toISOString() };
  // Bounded: the oldest keys give way, and `since` moves past them so they are not owed again.
  const dropped = new Set(sent.slice(0, sent.length - LEDGER_LIMIT));
  const last = changes.filter((change) => dropped.has(change.key)).at(-1);
  return {
    ...rest,
    sent: sent.slice(-LEDGER_LIMIT),
    deliveredAt: now.toISOString(),
    ...(last ? { since: last.at.toISOString() } : {}),
  };
}

/** What the board says about the channel: delivered, owed, or failing. */
export interface DeliveryView {
  channel: string;
  delivered: number;
  owed: number;
  deliveredAt: Date | undefined;
  failure: { at: Date; error: string; attempts: number } | undefined;
  /** Changes the channel refused as malformed, and its last word on one. */
  refused?: { count: number; error: string | undefined };
}

export function deliveryView(ledger: Ledger, changes: readonly Change[]): DeliveryView {
  const remaining = owed(changes, ledger).length;
  return {
    channel: ledger.channel,
    delivered: ledger.sent.length,
    owed: remaining,
    deliveredAt: ledger.deliveredAt ? new Date(ledger.deliveredAt) : undefined,
    failure:
      remaining > 0 && ledger.failure
        ? { at: new Date(ledger.failure.at), error: ledger.failure.error, attempts: ledger.failure.attempts }
        : undefined,
    refused: { count: ledger.refused?.length ?? 0, error: ledger.refusedError },
  };
}
