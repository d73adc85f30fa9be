import { z } from 'zod';
import { checkJournal, describeEntry, type JournalEntry } from '../../journal/journal.ts';
import { defineFact } from '../../records/fact.ts';
import { renderJournalReplay } from '../../report/lifecycle.ts';
import { defineCommand } from '../define.ts';
import { done, factBy, notDone } from './common.ts';

const HASH = z.string().regex(/^[0-9a-f]{64}$/);

/** At most this many entries per `/journal` comment (the replay splits a longer journal). */
export const ENTRIES_PER_JOURNAL_COMMENT = 40;

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
          by: z.string().min(1).max(100),
          what: z.string().max(400),
          hash: HASH,
        }),
      )
      .min(1)
      .max(ENTRIES_PER_JOURNAL_COMMENT),
  },
  (_next, fact, { log, responder }) => {
    responder(fact.by);
    for (const entry of fact.entries) {
      responder(entry.by);
      // The entry's text came from a terminal: echoed on the timeline, never rendered.
      log(entry.by, 'Offline (journal)', entry.what, new Date(entry.at));
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
    // What earlier replays recorded, by entry hash: the chain goes on from there, and entries
    // already on the issue are not recorded twice.
    const recorded = new Map<string, { journal: string; seq: number }>();
    for (const { record } of input.snapshot.records) {
      const parsed = offline.schema.safeParse(record);
      if (!parsed.success) continue;
      for (const entry of parsed.data.entries)
        recorded.set(entry.hash, { journal: parsed.data.journal, seq: entry.seq });
    }
    const first = /"seq":(\d+)/.exec(block.split('\n')[0] ?? '');
    const firstSeq = Number(first?.[1] ?? 1);
    const prev = /"prev":"([0-9a-f]{64})"/.exec(block.split('\n')[0] ?? '')?.[1];
    const continues = firstSeq > 1 && prev ? recorded.get(prev) : undefined;
    if (firstSeq > 1 && !continues) {
      return notDone(
        'journal',
        line,
        `the journal starts at entry ${firstSeq}, but entry ${firstSeq - 1} is not on this issue: replay the whole journal`,
      );
    }
    const checked = checkJournal(block, continues && prev ? { seq: firstSeq - 1, hash: prev } : undefined);
    if (!checked.ok) {
      return notDone(
        'journal',
        line,
        `the journal is refused, nothing was recorded: line ${checked.line}: ${checked.message}`,
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
      what: describeEntry(entry).slice(0, 400),
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
