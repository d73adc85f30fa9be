import { severityFromLabel } from '../events/route.ts';
import type { IssueEventRecord } from '../github/port.ts';
import type { RecordedComment } from '../records/read.ts';
import type { RecordOf } from '../records/record.schema.ts';

/** Records that change the incident itself (the rest describe replies and plans). */
export type IncidentRecord = RecordOf<
  | 'acknowledged'
  | 'commander'
  | 'severity'
  | 'update'
  | 'mitigated'
  | 'resolved'
  | 'verification-failed'
  | 'impact-start'
  | 'reminder'
  | 'escalation'
  | 'postmortem'
>;

/** One thing that happened to the incident, from GitHub's own records or the action's. */
export type Fact =
  | { kind: 'labeled' | 'unlabeled'; at: Date; actor: string; severity: string }
  | { kind: 'closed' | 'reopened'; at: Date; actor: string }
  | { kind: 'record'; at: Date; url: string; record: IncidentRecord }
  | {
      kind: 'command';
      at: Date;
      url: string;
      command: string;
      status: string;
      by: string;
      confirmedBy: string | undefined;
    }
  | { kind: 'plan'; at: Date; url: string; command: string; by: string };

export interface FactSources {
  events: readonly IssueEventRecord[];
  /** The action's valid records (see records/read.ts): edited or forged ones are never here. */
  records: readonly RecordedComment[];
  selfLogin: string;
  labelPrefix: string;
}

/**
 * Gathers the facts, oldest first. Label changes the action made itself are skipped: its record
 * for that change names the person who asked for it.
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
  for (const { comment, record } of sources.records) {
    const url = comment.htmlUrl;
    switch (record.kind) {
      case 'result':
        if (record.status !== 'running' && record.status !== 'planned') {
          facts.push({
            kind: 'command',
            at: new Date(record.at),
            url,
            command: record.command,
            status: record.status,
            by: record.by,
            confirmedBy: record.confirmedBy,
          });
        }
        break;
      case 'plan':
        facts.push({
          kind: 'plan',
          at: new Date(comment.createdAt),
          url,
          command: record.command,
          by: record.requestedBy,
        });
        break;
      case 'board':
      case 'answered':
      case 'refused':
      case 'notice':
      case 'interrupted':
        break;
      default:
        facts.push({ kind: 'record', at: new Date(record.at), url, record });
    }
  }
  return facts
    .map((fact, index) => ({ fact, index }))
    .sort((a, b) => a.fact.at.getTime() - b.fact.at.getTime() || a.index - b.index)
    .map(({ fact }) => fact);
}
