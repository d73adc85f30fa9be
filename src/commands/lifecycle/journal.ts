import { z } from 'zod';
import { checkJournal, describeEntry, type JournalEntry } from '../../journal/journal.ts';
import { defineFact } from '../../records/fact.ts';
import { renderJournalReplay, WHAT_CHARS } from '../../report/lifecycle.ts';
import { defineCommand } from '../define.ts';
import { done, factBy, notDone } from './common.ts';

const HASH = z.string().regex(/^[0-9a-f]{64}$/);

/** At most this many entries per `/journal` comment (the replay splits a longer journal). */
export const ENTRIES_PER_JOURNAL_COMMENT = 20;

/** How far from the replay an offline entry's time may be: a week back, a few minutes ahead. */
const OFFLINE_WINDOW_MS = { before: 7 * 24 * 3600_000, after: 5 * 60_000 };

/** An offline journal's entries, replayed into the issue: each on the timeline at its own time. */
export const offline = defineFact(
  'offline',
  {
    /** The hash of the journal's first entry: which session these entries belong to. */
    journal: HASH,
    entries: z
      .array(
        z.object({
          seq: z.number().int().min(1),
          at: z.iso.datetime(),
          by: z.string().min(1).max(39),
          what: z.string().max(WHAT_CHARS),
          hash: HASH,
        }),
      )
      .min(1)
      .max(ENTRIES_PER_JOURNAL_COMMENT),
  },
  (_next, fact, { log, responder }) => {
    // The person who replayed the journal vouches for it: the timeline credits them. The login
    // the journal names is part of the entry's text, echoed (never a mention, never a responder).
    responder(fact.by);
    for (const entry of fact.entries) {
      log(fact.by, 'Offline (journal)', `${entry.by}: ${entry.what}`, new Date(entry.at));
    }
  },
);

/** The journal inside a `/journal` comment: the first ```ndjson block. */
export function journalBlock(body: string): string | undefined {
  return /^```ndjson\n([\s\S]*?)\n```$/m.exec(body.replace(/\r\n?/g, '\n'))?.[1];
}

export const journal = defineCommand({
  name: 'journal',
  reason: '/journal replayed an offline journal onto the timeline',
  description: 'Replay an offline journal (posted by `incident-issueops replay`) onto the timeline',
  permission: 'write',
  facts: [offline],
  handle(input) {
    const line = '/journal';
    const block = journalBlock(input.comment.body);
    if (block === undefined) {
      return notDone(
        'journal',
        line,
        'this comment holds no journal: post it with `incident-issueops replay <journal> --issue N`',
      );
    }
    // What earlier replays recorded: each journal's entries by hash, and its last entry. A part of
    // a journal must go on from that last entry, so that the chain on the issue never forks.
    const recorded = new Map<string, { journal: string; seq: number }>();
    const lastOf = new Map<string, { seq: number; hash: string }>();
    for (const { record } of input.snapshot.records) {
      const parsed = offline.schema.safeParse(record);
      if (!parsed.success) continue;
      for (const entry of parsed.data.entries) {
        recorded.set(entry.hash, { journal: parsed.data.journal, seq: entry.seq });
        const last = lastOf.get(parsed.data.journal);
        if (!last || entry.seq > last.seq)
          lastOf.set(parsed.data.journal, { seq: entry.seq, hash: entry.hash });
      }
    }
    const head = firstEntryOf(block);
    const continues = head && head.seq > 1 ? recorded.get(head.prev) : undefined;
    if (head && head.seq > 1) {
      const last = continues ? lastOf.get(continues.journal) : undefined;
      if (!continues || !last) {
        return notDone(
          'journal',
          line,
          `the journal starts at entry ${head.seq}, but entry ${head.seq - 1} is not on this issue: replay the whole journal`,
        );
      }
      if (last.hash !== head.prev || last.seq !== head.seq - 1) {
        return notDone(
          'journal',
          line,
          `the journal goes on from entry ${head.seq - 1}, but this journal's last entry on the issue is entry ${last.seq}: its chain would fork`,
        );
      }
    }
    const checked = checkJournal(
      block,
      continues && head ? { seq: head.seq - 1, hash: head.prev } : undefined,
    );
    if (!checked.ok) {
      return notDone(
        'journal',
        line,
        `the journal is refused, nothing was recorded: line ${checked.line}: ${checked.message}`,
      );
    }
    const now = input.now.getTime();
    const outOfTime = checked.entries.find((entry) => {
      const at = Date.parse(entry.at);
      return at > now + OFFLINE_WINDOW_MS.after || at < now - OFFLINE_WINDOW_MS.before;
    });
    if (outOfTime) {
      return notDone(
        'journal',
        line,
        `the journal is refused, nothing was recorded: entry ${outOfTime.seq} is dated ${outOfTime.at}, more than a week before now or in the future`,
      );
    }
    const journalId = continues?.journal ?? checked.entries[0]?.hash ?? '';
    const fresh = checked.entries.filter((entry) => !recorded.has(entry.hash));
    if (fresh.length === 0) {
      return notDone(
        'journal',
        line,
        `all ${checked.entries.length} entries of this journal are already on the timeline`,
      );
    }
    if (fresh.length > ENTRIES_PER_JOURNAL_COMMENT) {
      return notDone(
        'journal',
        line,
        `one /journal comment holds at most ${ENTRIES_PER_JOURNAL_COMMENT} entries (this one ${fresh.length}): \`incident-issueops replay\` splits a journal`,
      );
    }
    const entries = fresh.map((entry: JournalEntry) => ({
      seq: entry.seq,
      at: entry.at,
      by: entry.by,
      what: describeEntry(entry).slice(0, WHAT_CHARS),
      hash: entry.hash,
    }));
    return done('journal', `${entries.length} offline entries on the timeline`, [
      {
        kind: 'reply',
        text: renderJournalReplay({
          by: input.actor,
          entries,
          skipped: checked.entries.length - fresh.length,
        }),
        record: offline.record({ ...factBy(input), journal: journalId, entries }),
      },
    ]);
  },
});

/** The sequence number and link of a block's first entry, read as JSON (its chain is checked after). */
function firstEntryOf(block: string): { seq: number; prev: string } | undefined {
  const first = block.split('\n').find((row) => row.trim() !== '');
  try {
    const parsed = z.object({ seq: z.number().int().min(1), prev: HASH }).safeParse(JSON.parse(first ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
