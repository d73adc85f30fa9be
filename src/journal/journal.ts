import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The break-glass journal: what a terminal session did while GitHub was down, one JSON object per
 * line (NDJSON). Each entry carries the SHA-256 of the one before it and its own, so an entry that
 * is edited, removed, reordered or inserted afterwards breaks the chain and the journal is refused.
 * (A chain proves the file is whole, not who wrote it: whoever replays it answers for it, and the
 * issue says who that was.)
 */
export const JOURNAL_VERSION = 1;
const HASH = /^[0-9a-f]{64}$/;
/** GitHub's rule for logins: letters, digits and single hyphens inside, 39 characters at most. */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
export const GENESIS = '0'.repeat(64);
/** Output kept per step in the journal (its tail), already redacted by the executor. */
export const JOURNAL_OUTPUT_CHARS = 4000;

const base = {
  v: z.literal(JOURNAL_VERSION),
  seq: z.number().int().min(1),
  at: z.iso.datetime(),
  /** The GitHub login the entry credits (GitHub's own rule: letters, digits, single hyphens, 39 at most). */
  by: z.string().regex(GITHUB_LOGIN, 'a GitHub login'),
  prev: z.string().regex(HASH),
  hash: z.string().regex(HASH),
};

const text = (max: number) => z.string().max(max);

export const journalEntrySchema = z.discriminatedUnion('kind', [
  z
    .object({ ...base, kind: z.literal('session'), host: text(255), user: text(64), runbook: text(300) })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('command'),
      line: text(500),
      command: text(64),
      target: text(300),
      destructive: z.boolean(),
    })
    .strict(),
  z.object({ ...base, kind: z.literal('confirmed'), command: text(64) }).strict(),
  z.object({ ...base, kind: z.literal('declined'), command: text(64) }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('step'),
      command: text(64),
      step: text(200),
      outcome: z.enum(['ok', 'failed', 'timeout', 'ssh-error']),
      exitCode: z.number().int().nullable(),
      durationMs: z.number().int().min(0),
      output: text(JOURNAL_OUTPUT_CHARS),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('result'),
      command: text(64),
      status: z.enum(['success', 'failure', 'timeout', 'ssh-error']),
      exitCode: z.number().int().nullable(),
    })
    .strict(),
]);

export type JournalEntry = z.output<typeof journalEntrySchema>;
type Unsealed<E> = E extends JournalEntry ? Omit<E, 'v' | 'seq' | 'prev' | 'hash'> : never;
export type JournalEvent = Unsealed<JournalEntry>;

/** The hash of an entry: SHA-256 over its fields (without `hash`) in a fixed order. */
export function entryHash(entry: Omit<JournalEntry, 'hash'>): string {
  return createHash('sha256').update(canonical(entry)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The next entry after `last` (or the first of a journal), sealed into the chain. */
export function nextEntry(last: JournalEntry | undefined, event: JournalEvent): JournalEntry {
  const unsealed = { ...event, v: JOURNAL_VERSION, seq: (last?.seq ?? 0) + 1, prev: last?.hash ?? GENESIS };
  const entry = { ...unsealed, hash: entryHash(unsealed as Omit<JournalEntry, 'hash'>) };
  return journalEntrySchema.parse(entry);
}

export type JournalCheck =
  { ok: true; entries: JournalEntry[] } | { ok: false; line: number; message: string };

/**
 * Reads a journal (or a contiguous part of one, starting after `after`) and checks its chain:
 * every line well formed, numbered one after the other, linked to the one before, and hashed
 * as it says. The first problem is reported with its line.
 */
export function checkJournal(
  text: string,
  after: { seq: number; hash: string } = { seq: 0, hash: GENESIS },
): JournalCheck {
  const entries: JournalEntry[] = [];
  const lines = text.split('\n');
  let previous = after;
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, line, message: 'not a JSON object' };
    }
    const parsed = journalEntrySchema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, line, message: `not a journal entry: ${whatIsWrong(parsed.error.issues[0])}` };
    }
    const entry = parsed.data;
    if (entry.seq !== previous.seq + 1) {
      return {
        ok: false,
        line,
        message: `entry ${entry.seq} follows entry ${previous.seq}: an entry is missing or out of order`,
      };
    }
    if (entry.prev !== previous.hash) {
      return {
        ok: false,
        line,
        message: `entry ${entry.seq} does not link to the entry before it: the journal was changed`,
      };
    }
    const { hash, ...unsealed } = entry;
    if (entryHash(unsealed) !== hash) {
      return {
        ok: false,
        line,
        message: `entry ${entry.seq} does not match its hash: it was edited after it was written`,
      };
    }
    entries.push(entry);
    previous = { seq: entry.seq, hash: entry.hash };
  }
  if (entries.length === 0) return { ok: false, line: 1, message: 'the journal has no entries' };
  return { ok: true, entries };
}

/**
 * What is wrong with an entry, in our words only: the journal is foreign text, and this message
 * is shown on the issue, so neither its keys nor its values are repeated.
 */
function whatIsWrong(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'it does not match the journal format';
  if (issue.code === 'unrecognized_keys') return 'it has a field a journal entry does not have';
  const path = issue.path.map(String);
  const field =
    path.length > 0 && path.every((segment) => /^[A-Za-z0-9_]{1,40}$/.test(segment))
      ? path.join('.')
      : undefined;
  const problem = issue.code === 'invalid_type' ? 'missing or of the wrong type' : 'not a value it may have';
  return field ? `its field "${field}" is ${problem}` : 'it does not match the journal format';
}

export const toNdjson = (entries: readonly JournalEntry[]) =>
  entries.map((e) => `${JSON.stringify(e)}\n`).join('');

/** One line of the timeline for an entry, in the words of the postmortem. */
export function describeEntry(entry: JournalEntry): string {
  switch (entry.kind) {
    case 'session':
      return `session on ${entry.user}@${entry.host} (runbook ${entry.runbook})`;
    case 'command':
      return `asked for ${entry.line} on ${entry.target}${entry.destructive ? ' (destructive)' : ''}`;
    case 'confirmed':
      return `confirmed /${entry.command} in the terminal`;
    case 'declined':
      return `declined /${entry.command}; nothing ran`;
    case 'step':
      return `/${entry.command} step “${entry.step}”: ${entry.outcome}${entry.exitCode === null ? '' : `, exit ${entry.exitCode}`}`;
    case 'result':
      return `/${entry.command} ended ${entry.status}${entry.exitCode === null ? '' : ` (exit ${entry.exitCode})`}`;
  }
}
