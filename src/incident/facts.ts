import { severityFromLabel } from '../events/route.ts';
import type { IssueComment, IssueEventRecord } from '../github/port.ts';
import { readMarker, type EventMarker } from '../report/marker.ts';

/** One thing that happened to the incident, from GitHub's own records or the action's markers. */
export type Fact =
  | { kind: 'labeled' | 'unlabeled'; at: Date; actor: string; severity: string }
  | { kind: 'closed' | 'reopened'; at: Date; actor: string }
  | { kind: 'event'; at: Date; url: string; marker: EventMarker }
  | { kind: 'command'; at: Date; url: string; command: string; status: string; by: string };

export interface FactSources {
  events: IssueEventRecord[];
  comments: IssueComment[];
  selfLogin: string;
  labelPrefix: string;
}

/**
 * Gathers the facts, oldest first. Markers count only on the action's own comments, so text typed
 * by anyone else changes nothing. Label changes the action made itself are skipped: its marker for
 * that change names the person who asked for it.
 */
export function collectFacts(sources: FactSources): Fact[] {
  const facts: Fact[] = [];
  for (const event of sources.events) {
    const at = new Date(event.createdAt);
    if ((event.event === 'labeled' || event.event === 'unlabeled') && event.label) {
      const severity = severityFromLabel(event.label, sources.labelPrefix);
      if (severity && event.actor !== sources.selfLogin) {
        facts.push({ kind: event.event, at, actor: event.actor, severity });
      }
    } else if (event.event === 'closed' || event.event === 'reopened') {
      facts.push({ kind: event.event, at, actor: event.actor });
    }
  }
  for (const comment of sources.comments) {
    if (comment.author !== sources.selfLogin) continue;
    const marker = readMarker(comment.body);
    if (marker) {
      if (marker.type === 'event') {
        facts.push({ kind: 'event', at: new Date(marker.at), url: comment.htmlUrl, marker });
      } else if (marker.type === 'result' && marker.status !== 'running') {
        facts.push({
          kind: 'command',
          at: new Date(comment.createdAt),
          url: comment.htmlUrl,
          command: marker.command,
          status: marker.status,
          by: marker.by ?? '',
        });
      }
    }
  }
  return facts
    .map((fact, index) => ({ fact, index }))
    .sort((a, b) => a.fact.at.getTime() - b.fact.at.getTime() || a.index - b.index)
    .map(({ fact }) => fact);
}
