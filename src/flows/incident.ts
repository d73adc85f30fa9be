import type { Runbook } from '../config/runbook.schema.ts';
import type { IncidentSnapshot } from '../incident/snapshot.ts';
import type { GitHubPort } from '../github/port.ts';
import { collectFacts, type Fact } from '../incident/facts.ts';
import { assessTargets } from '../incident/sla.ts';
import { reduceIncident } from '../incident/state.ts';
import { textOf } from '../records/codec.ts';
import { readRecords } from '../records/read.ts';
import type { RecordSealer } from '../records/seal.ts';
import { renderBoard } from '../report/board.ts';
import type { IssueWriter } from './writer.ts';

export type { IncidentSnapshot } from '../incident/snapshot.ts';

export interface IncidentContext {
  github: GitHubPort;
  writer: IssueWriter;
  sealer: RecordSealer;
  runbook: Runbook;
  selfLogin: string;
  labelPrefix: string;
  now: () => Date;
}

/**
 * Rebuilds the incident from GitHub alone: the issue's events and the action's sealed records, read
 * in full (paginated, once per run), reduced by the pure reducer. There is no other store.
 */
export async function loadIncident(
  issue: { number: number; title: string },
  context: IncidentContext,
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
  const facts = collectFacts({
    events,
    records,
    selfLogin: context.selfLogin,
    labelPrefix: context.labelPrefix,
  });
  if (pending && !facts.some((fact) => fact.kind === 'labeled' && fact.severity === pending.severity))
    facts.push(pending);
  const incident = reduceIncident(facts);
  const board = records.find((entry) => entry.record.kind === 'board')?.comment;
  const severityKey = incident.severity;
  const severity = severityKey ? context.runbook.severities[severityKey] : undefined;
  return {
    issueNumber: issue.number,
    issueTitle: issue.title,
    incident,
    board,
    severityKey,
    severity,
    sla: severity ? assessTargets(incident, severity, context.now()) : undefined,
    records,
    tampered,
    sealed: context.sealer.mode === 'sealed',
  };
}

/** Edits the status board in place, or posts it when the issue has none yet. */
export async function publishBoard(
  snapshot: IncidentSnapshot,
  context: IncidentContext,
): Promise<string | undefined> {
  if (!snapshot.severity || !snapshot.severityKey || !snapshot.sla) return undefined;
  const text = renderBoard({
    incident: snapshot.incident,
    severityKey: snapshot.severityKey,
    severity: snapshot.severity,
    sla: snapshot.sla,
    now: context.now(),
    issueTitle: snapshot.issueTitle,
    tampered: snapshot.tampered.map((comment) => comment.htmlUrl),
    sealed: snapshot.sealed,
  });
  if (snapshot.board) {
    // Unchanged text: no write (the record's nonce would differ, but nothing a reader sees).
    if (textOf(snapshot.board.body) !== text.trim())
      await context.writer.edit(snapshot.board.id, snapshot.issueNumber, text, { kind: 'board' });
    return snapshot.board.htmlUrl;
  }
  return (await context.writer.post(snapshot.issueNumber, text, { kind: 'board' })).htmlUrl;
}
