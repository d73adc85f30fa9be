import type { Runbook, Severity } from '../config/runbook.schema.ts';
import type { GitHubPort, IssueComment } from '../github/port.ts';
import { collectFacts, type Fact } from '../incident/facts.ts';
import { assessTargets, type SlaAssessment } from '../incident/sla.ts';
import { reduceIncident, type Incident } from '../incident/state.ts';
import { renderBoard } from '../report/board.ts';
import { readMarker } from '../report/marker.ts';

export interface IncidentSnapshot {
  issueNumber: number;
  issueTitle: string;
  incident: Incident;
  board: IssueComment | undefined;
  severityKey: string | undefined;
  severity: Severity | undefined;
  sla: SlaAssessment | undefined;
}

export interface IncidentContext {
  github: GitHubPort;
  runbook: Runbook;
  selfLogin: string;
  labelPrefix: string;
  now: () => Date;
}

/**
 * Rebuilds the incident from GitHub alone: the issue's events and comments, read in full
 * (paginated), reduced by the pure reducer. There is no other store.
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
  const facts = collectFacts({
    events,
    comments,
    selfLogin: context.selfLogin,
    labelPrefix: context.labelPrefix,
  });
  if (pending && !facts.some((fact) => fact.kind === 'labeled' && fact.severity === pending.severity))
    facts.push(pending);
  const incident = reduceIncident(facts);
  const board = comments.find(
    (comment) => comment.author === context.selfLogin && readMarker(comment.body)?.type === 'board',
  );
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
  };
}

/** Edits the status board in place, or posts it when the issue has none yet. */
export async function publishBoard(
  snapshot: IncidentSnapshot,
  context: IncidentContext,
): Promise<string | undefined> {
  if (!snapshot.severity || !snapshot.severityKey || !snapshot.sla) return undefined;
  const body = renderBoard({
    incident: snapshot.incident,
    severityKey: snapshot.severityKey,
    severity: snapshot.severity,
    sla: snapshot.sla,
    now: context.now(),
    issueTitle: snapshot.issueTitle,
  });
  if (snapshot.board) {
    if (snapshot.board.body !== body) await context.github.updateComment(snapshot.board.id, body);
    return snapshot.board.htmlUrl;
  }
  return (await context.github.createComment(snapshot.issueNumber, body)).htmlUrl;
}
