import { recordSchema, type CoreRecord, type IssueRecord } from './record.schema.ts';
import type { RecordSealer } from './seal.ts';

const PREFIX = 'incident-issueops';
/** The record always ends the comment; a record anywhere else is text, never read. */
const TRAILER = new RegExp(`<!-- ${PREFIX} (\\{[^\\n]*\\}) -->$`);

export interface RecordScope {
  sealer: RecordSealer;
  issueNumber: number;
}

/**
 * A record as written: its content, without the fields the codec adds (version and nonce). The
 * action's own kinds are typed here; a command's fact is typed by its definition (`fact.record`);
 * both are validated against the schema when written.
 */
export type RecordContent =
  | (CoreRecord extends infer R ? (R extends unknown ? Omit<R, 'v'> : never) : never)
  | ({ kind: string; by: string; at: string; source?: number } & Record<string, unknown>);

export type ReadResult =
  | { status: 'none' }
  | { status: 'valid'; record: IssueRecord; seal: string | undefined }
  /** A record is there but it was not written by this action as it stands: edited, moved or forged. */
  | { status: 'invalid'; reason: 'seal' | 'malformed' };

/** The visible text as it is sealed: line endings and surrounding blank space do not count. */
function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

function material(issueNumber: number, text: string, json: string): string {
  return `${PREFIX} record v1\nissue ${issueNumber}\n${json}\n${normalise(text)}`;
}

/**
 * The comment body for `text` with `content` recorded at its end. The record is validated here, so
 * an invalid record fails when written rather than being dropped silently when read back.
 */
export function composeBody(text: string, content: RecordContent, scope: RecordScope): string {
  const parsed = recordSchema.parse({ v: 1, ...content });
  const record = { ...parsed, n: scope.sealer.nonce() };
  const json = JSON.stringify(record);
  const seal = scope.sealer.seal(material(scope.issueNumber, text, json));
  const written = JSON.stringify(seal ? { ...record, seal } : record).replace(/--/g, '-\\u002d');
  return `${normalise(text)}\n\n<!-- ${PREFIX} ${written} -->`;
}

/** Characters the record adds to a comment, at most; the text must leave room for them. */
export function recordOverhead(content: RecordContent): number {
  return JSON.stringify(content).length * 2 + 200;
}

/**
 * Reads the record that ends `body`. Callers pass only the action's own comments: anyone can type
 * this text. In sealed mode a record is valid only with a seal over exactly this body on this issue.
 */
export function readBody(body: string, scope: RecordScope): ReadResult {
  const trimmed = body.trimEnd();
  const match = TRAILER.exec(trimmed);
  if (!match) return { status: 'none' };
  let raw: unknown;
  try {
    raw = JSON.parse(match[1] ?? '');
  } catch {
    return { status: 'invalid', reason: 'malformed' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { status: 'invalid', reason: 'malformed' };
  const { seal, ...rest } = raw as Record<string, unknown>;
  const text = trimmed.slice(0, match.index);
  if (scope.sealer.mode === 'sealed') {
    const given = typeof seal === 'string' ? seal : undefined;
    if (!scope.sealer.verify(material(scope.issueNumber, text, JSON.stringify(rest)), given))
      return { status: 'invalid', reason: 'seal' };
  }
  const parsed = recordSchema.safeParse(rest);
  if (!parsed.success) return { status: 'invalid', reason: 'malformed' };
  return {
    status: 'valid',
    record: parsed.data as IssueRecord,
    seal: typeof seal === 'string' ? seal : undefined,
  };
}

/** The visible text of a comment, without its record. */
export function textOf(body: string): string {
  const trimmed = body.trimEnd();
  const match = TRAILER.exec(trimmed);
  return match ? trimmed.slice(0, match.index).trimEnd() : trimmed;
}
