import type { Runbook } from '../config/runbook.schema.ts';
import type { IncidentSnapshot } from '../incident/snapshot.ts';
import type { GitHubPort } from '../github/port.ts';
import { collectFacts, type Fact } from '../incident/facts.ts';
import { assessTargets } from '../incident/sla.ts';
import { reduceIncident } from '../incident/state.ts';
import { textOf } from '../records/codec.ts';
import { readRecords } from '../records/read.ts';
import type { RecordSealer } from '../records/seal.ts';
import {
  afterDelivery,
  batches,
  deliveryView,
  owed,
  startLedger,
  type Delivery,
  type Ledger,
} from '../notify/ledger.ts';
import type { Announcement, NotifierPort } from '../notify/port.ts';
import type { RecordOf } from '../records/record.schema.ts';
import { renderBoard } from '../report/board.ts';
import type { IssueWriter } from './writer.ts';
import type { BoardLock } from './board-lock.ts';
import { boardFactsOf, boardRecord, fits, joinFacts, readBoard } from './board-facts.ts';
import { recoverFacts } from '../records/board-seal.ts';

export type { IncidentSnapshot } from '../incident/snapshot.ts';

export interface IncidentContext {
  github: GitHubPort;
  writer: IssueWriter;
  sealer: RecordSealer;
  runbook: Runbook;
  selfLogin: string;
  labelPrefix: string;
  now: () => Date;
  /** Stakeholders' channel (none by default). */
  notifier: NotifierPort;
  issueUrl: (issueNumber: number) => string;
  log: (message: string) => void;
  /** Runs take turns at writing the board (flows/board-lock.ts). */
  lock: BoardLock;
}

/**
 * Rebuilds the incident from GitHub alone: the issue's events and the action's sealed records, read
 * in full (paginated, once per run), reduced by the pure reducer. There is no other store.
 */
export async function loadIncident(
  issue: { number: number; title: string },
  context: Omit<IncidentContext, 'notifier' | 'issueUrl' | 'log' | 'lock'>,
  /** The event being handled, in case GitHub's event list does not show it yet. */
  pending?: Fact & { kind: 'labeled' },
): Promise<IncidentSnapshot> {
  const [comments, events] = await Promise.all([
    context.github.listComments(issue.number),
    context.github.listEvents(issue.number),
  ]);
  const { records, tampered } = readRecords(comments, {
    selfLogin: context.selfLogin,
    scope: { sealer: context.sealer, issueNumber: issue.number },
  });
  const recovered = recoverFacts(tampered, { sealer: context.sealer, issueNumber: issue.number });
  const facts = collectFacts({
    events,
    records,
    recovered,
    selfLogin: context.selfLogin,
    labelPrefix: context.labelPrefix,
  });
  if (pending && !facts.some((fact) => fact.kind === 'labeled' && fact.severity === pending.severity))
    facts.push(pending);
  const incident = reduceIncident(facts);
  const boardEntry = records.find((entry) => entry.record.kind === 'board');
  const board = boardEntry?.comment;
  const notified =
    boardEntry?.record.kind === 'board' ? (boardEntry.record as RecordOf<'board'>).notified : undefined;
  const severityKey = incident.severity;
  const severity = severityKey ? context.runbook.severities[severityKey] : undefined;
  return {
    issueNumber: issue.number,
    issueTitle: issue.title,
    incident,
    board,
    notified,
    severityKey,
    severity,
    sla: severity ? assessTargets(incident, severity, context.now()) : undefined,
    records,
    tampered,
    recovered,
    sealed: context.sealer.mode === 'sealed',
  };
}

/**
 * Edits the status board in place, or posts it when the issue has none yet. First it tells
 * stakeholders' channel what the facts say it is owed (notify/ledger.ts), so the board shows what
 * was delivered and the board's record keeps the ledger.
 */
export async function publishBoard(
  snapshot: IncidentSnapshot,
  context: IncidentContext,
  /** `false`: deliver nothing yet (a page goes first); the ledger starts all the same. */
  options: { notify?: boolean } = {},
): Promise<string | undefined> {
  const { severity, severityKey, sla } = snapshot;
  if (!severity || !severityKey || !sla) return undefined;
  const notified = await notifyStakeholders(snapshot, context, options.notify ?? true);
  const ledgerSame = JSON.stringify(notified) === JSON.stringify(snapshot.notified);
  const render = (shown: IncidentSnapshot, ledger: Ledger | undefined) =>
    renderBoard({
      incident: shown.incident,
      severityKey,
      severity,
      sla: shown.sla ?? sla,
      now: context.now(),
      issueTitle: snapshot.issueTitle,
      tampered: shown.tampered.map((comment) => comment.htmlUrl),
      sealed: shown.sealed,
      delivery: ledger ? deliveryView(ledger, shown.incident.changes) : undefined,
    });
  const board = snapshot.board;
  const scope = { sealer: context.sealer, issueNumber: snapshot.issueNumber };
  if (!board) {
    // A new board, or one in place of a board someone edited: it carries the facts recovered from it.
    const record = boardRecord(notified, boardFactsOf(snapshot), scope);
    return (await context.writer.post(snapshot.issueNumber, render(snapshot, notified), record)).htmlUrl;
  }
  // Unchanged text and ledger: no write (the record's nonce would differ, but nothing anyone reads).
  if (textOf(board.body) === render(snapshot, notified).trim() && ledgerSame) return board.htmlUrl;
  // Other runs on this issue (a command, the sweep, an alert) write the board too: this run holds it
  // while it reads what the board holds now and writes. What it holds joins what this run knows,
  // so no fact is dropped and no delivery is sent again; the text is rendered from the facts as
  // they now stand.
  const written = await context.lock.hold(board.id, async () => {
    const fresh = await readBoard(board.id, snapshot.issueNumber, context);
    const known = boardFactsOf(snapshot);
    const joined = joinFacts(fresh?.record.facts ?? [], known);
    const facts = fits(joined) ? joined : (fresh?.record.facts ?? known);
    const shown =
      facts.length > known.length
        ? await loadIncident({ number: snapshot.issueNumber, title: snapshot.issueTitle }, context)
        : snapshot;
    const merged = notified && fresh ? mergeLedger(notified, fresh.record.notified) : notified;
    await context.writer.edit(
      board.id,
      snapshot.issueNumber,
      render(shown, merged),
      boardRecord(merged, facts, scope),
    );
  });
  if (!written.held)
    context.log(`The status board is left as it is: ${written.reason}. The next run updates it.`);
  return board.htmlUrl;
}

/** Delivers what the channel is owed, oldest first, stopping at the first failure; the ledger after. */
async function notifyStakeholders(
  snapshot: IncidentSnapshot,
  context: IncidentContext,
  deliver: boolean,
): Promise<Ledger | undefined> {
  const channel = context.notifier.channel;
  if (!channel || !snapshot.severity || !snapshot.severityKey) return snapshot.notified;
  const now = context.now();
  const { incident } = snapshot;
  let ledger = startLedger(channel, snapshot.notified, snapshot.board !== undefined, now);
  if (!deliver) return ledger;
  for (const batch of batches(owed(incident.changes, ledger))) {
    const delivery = await deliverSafely(context.notifier, {
      changes: batch,
      issue: {
        number: snapshot.issueNumber,
        title: snapshot.issueTitle,
        url: context.issueUrl(snapshot.issueNumber),
      },
      severity: { key: snapshot.severityKey, name: snapshot.severity.name },
      phase: incident.phase,
      commander: incident.commander,
      nextUpdateDue: snapshot.sla?.nextUpdateDue,
      declaredAt: incident.declaredAt,
      now,
    });
    ledger = afterDelivery(ledger, batch, delivery, now, incident.changes);
    const what = batch.map((change) => change.event).join(', ');
    context.log(
      delivery.delivered
        ? `${channel}: told stakeholders (${what})`
        : `${channel}: could not tell stakeholders (${what}): ${delivery.error}; the next run tries again`,
    );
    // A message the channel refused as malformed is set aside; anything else waits for the next run.
    if (!delivery.delivered && !delivery.refused) break;
  }
  return ledger;
}

/** A notifier is not to throw; should one, the incident goes on and the next run tries again. */
async function deliverSafely(notifier: NotifierPort, announcement: Announcement): Promise<Delivery> {
  try {
    return await notifier.deliver(announcement);
  } catch (error) {
    // The error's own text may carry the channel's URL: only its kind is reported.
    const kind = error instanceof Error ? error.name : typeof error;
    return {
      delivered: false,
      attempts: 0,
      error: `the notifier failed unexpectedly (${kind.slice(0, 40)})`,
    };
  }
}

/** This run's ledger joined with the one the board holds now. */
function mergeLedger(ours: Ledger, other: Ledger | undefined): Ledger {
  if (!other || other.channel !== ours.channel) return ours;
  const sent = [...new Set([...other.sent, ...ours.sent])];
  const refused = [...new Set([...(other.refused ?? []), ...(ours.refused ?? [])])];
  const latest = [ours.deliveredAt, other.deliveredAt].filter(Boolean).sort().at(-1);
  return {
    ...ours,
    sent: sent.slice(-400),
    ...(refused.length > 0 ? { refused: refused.slice(-100) } : {}),
    ...(latest ? { deliveredAt: latest } : {}),
  };
}
