import type { IssueComment } from '../github/port.ts';
import { readBody, type RecordScope } from './codec.ts';
import type { IssueRecord } from './record.schema.ts';

/** A record read back from one of the action's comments. */
export interface RecordedComment {
  comment: IssueComment;
  record: IssueRecord;
}

export interface IssueRecords {
  /** Valid records, oldest comment first; a record copied into another comment counts once. */
  records: RecordedComment[];
  /** The action's comments whose record fails its seal: edited, moved or forged. Never trusted. */
  tampered: IssueComment[];
}

/** Reads the records of the action's own comments; comments by anyone else are never read. */
export function readRecords(
  comments: readonly IssueComment[],
  options: { selfLogin: string; scope: RecordScope },
): IssueRecords {
  const records: RecordedComment[] = [];
  const tampered: IssueComment[] = [];
  const seen = new Set<string>();
  for (const comment of comments) {
    if (comment.author !== options.selfLogin) continue;
    const read = readBody(comment.body, options.scope);
    if (read.status === 'invalid') {
      tampered.push(comment);
      continue;
    }
    if (read.status !== 'valid') continue;
    if (read.seal) {
      if (seen.has(read.seal)) continue;
      seen.add(read.seal);
    }
    records.push({ comment, record: read.record });
  }
  return { records, tampered };
}

/** Ids of the human comments that some record answers: such a comment is never run again. */
export function answeredSources(records: readonly RecordedComment[]): Set<number> {
  const sources = new Set<number>();
  for (const { record } of records) {
    if ('source' in record && typeof record.source === 'number') sources.add(record.source);
    // The lifecycle commands' facts on the status board answer their comments too.
    if (record.kind === 'board' && Array.isArray(record.facts))
      for (const fact of record.facts) if (typeof fact.source === 'number') sources.add(fact.source);
  }
  return sources;
}
