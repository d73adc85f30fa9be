import { canonicalFact } from '../records/board-seal.ts';
import { severityFromLabel } from '../events/route.ts';
import type { IssueEventRecord } from '../github/port.ts';
import { COMMAND_FACTS } from '../commands/definitions.ts';
import type { FactDefinition, FactRecord } from '../records/fact.ts';
import type { RecordedComment } from '../records/read.ts';
import { isCore, type RecordOf } from '../records/record.schema.ts';

/** The action's own records that change the incident (the rest describe replies and plans). */
export type IncidentRecord = RecordOf<'reminder' | 'escalation' | 'postmortem'>;

/** One thing that happened to the incident, from GitHub's own records or the action's. */
export type Fact =
  | { kind: 'labeled' | 'unlabeled'; at: Date; actor: string; severity: string }
  | { kind: 'closed' | 'reopened'; at: Date; actor: string }
  | { kind: 'record'; at: Date; url: string; record: IncidentRecord }
  /** A fact a command recorded; its definition says how it changes the incident. */
  | { kind: 'fact'; at: Date; url: string; record: FactRecord; definition: FactDefinition }
  | {
      kind: 'command';
      at: Date;
      url: string;
      command: string;
      status: string;
      by: string;
      confirmedBy: string | undefined;
      /** The confirming comment, for a held command that was confirmed. */
      confirmUrl?: string | undefined;
      /** What a diagnostic command found ("step: finding"), the first ten, and how many in all. */
      findings: string[];
      findingCount: number;
    }
  | {
      kind: 'plan';
      at: Date;
      url: string;
      command: string;
      by: string;
      /** When its code expired unused, once the plan's comment was closed so (by the action). */
      expired?: { at: Date; by: string };
    };

export interface FactSources {
  events: readonly IssueEventRecord[];
  /** The action's valid records (see records/read.ts): edited or forged ones are never here. */
  records: readonly RecordedComment[];
  /** Facts recovered from an edited board by their own seals (records/board-seal.ts). */
  recovered?: readonly { comment: { htmlUrl: string }; facts: readonly FactRecord[] }[];
  selfLogin: string;
  labelPrefix: string;
}

/** How far apart a label change and the action's record of it may be and still be one change. */
const RELABEL_MATCH_MS = 120_000;

/**
 * Gathers the facts, oldest first. A label change the action made for `/severity` is skipped: its
 * record names the person who asked. Other label changes by the same login (another workflow's
 * GITHUB_TOKEN opening an incident from an alert, say) count like anyone's.
 */
export function collectFacts(sources: FactSources): Fact[] {
  const facts: Fact[] = [];
  const relabels = sources.records.flatMap(({ record }) =>
    record.kind === 'severity' && typeof record.severity === 'string'
      ? [{ at: Date.parse(record.at), severity: record.severity }]
      : [],
  );
  const ownRelabel = (at: Date, severity: string, kind: string) =>
    relabels.some(
      (relabel) =>
        Math.abs(relabel.at - at.getTime()) <= RELABEL_MATCH_MS &&
        (kind === 'unlabeled' || relabel.severity === severity),
    );
  for (const event of sources.events) {
    const at = new Date(event.createdAt);
    if ((event.event === 'labeled' || event.event === 'unlabeled') && event.label) {
      const severity = severityFromLabel(event.label, sources.labelPrefix);
      if (severity && !(event.actor === sources.selfLogin && ownRelabel(at, severity, event.event))) {
        facts.push({ kind: event.event, at, actor: event.actor, severity });
      }
    } else if (event.event === 'closed' || event.event === 'reopened') {
      facts.push({ kind: event.event, at, actor: event.actor });
    }
  }
  for (const { comment, record } of sources.records) {
    const url = comment.htmlUrl;
    if (!isCore(record)) {
      const definition = COMMAND_FACTS.get(record.kind);
      if (definition) facts.push({ kind: 'fact', at: new Date(record.at), url, record, definition });
      continue;
    }
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
            ...(record.confirmedBy && record.source ? { confirmUrl: sourceUrl(url, record.source) } : {}),
            findings: record.findings ?? [],
            findingCount: record.findingCount ?? record.findings?.length ?? 0,
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
          ...(record.expired ? { expired: { at: new Date(record.expiresAt), by: comment.author } } : {}),
        });
        break;
      case 'reminder':
      case 'escalation':
      case 'postmortem':
        facts.push({ kind: 'record', at: new Date(record.at), url, record });
        break;
      case 'board':
        // Lifecycle commands record their facts here, each linked to the comment that asked.
        for (const embedded of record.facts ?? []) {
          const definition = COMMAND_FACTS.get(embedded.kind);
          if (definition)
            facts.push({
              kind: 'fact',
              at: new Date(embedded.at),
              url: sourceUrl(url, embedded.source),
              record: embedded,
              definition,
            });
        }
        break;
      case 'answered':
      case 'refused':
      case 'notice':
      case 'interrupted':
      case 'review':
      case 'review-reminder':
        break;
    }
  }
  for (const { comment, facts: embedded } of sources.recovered ?? []) {
    for (const record of embedded) {
      const definition = COMMAND_FACTS.get(record.kind);
      if (definition)
        facts.push({
          kind: 'fact',
          at: new Date(record.at),
          url: sourceUrl(comment.htmlUrl, record.source),
          record,
          definition,
        });
    }
  }
  return dedupe(facts)
    .map((fact, index) => ({ fact, index }))
    .sort((a, b) => a.fact.at.getTime() - b.fact.at.getTime() || a.index - b.index)
    .map(({ fact }) => fact);
}

/** The link to the comment a fact answers: the board's own link, pointed at that comment. */
export function sourceUrl(boardUrl: string, source: number | undefined): string {
  if (source === undefined) return boardUrl;
  return `${boardUrl.replace(/#.*$/, '')}#issuecomment-${source}`;
}

/** Two records of one fact are equal field by field (key order aside). */
export function factKey(record: FactRecord): string {
  return canonicalFact(record);
}

/**
 * A fact on the board and in a reply too (a run that could not confirm its board write posts the
 * reply) counts once.
 */
function dedupe(facts: Fact[]): Fact[] {
  const seen = new Set<string>();
  return facts.filter((fact) => {
    if (fact.kind !== 'fact') return true;
    const key = factKey(fact.record);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
