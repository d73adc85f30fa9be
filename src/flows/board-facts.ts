import { COMMAND_FACTS } from '../commands/definitions.ts';
import type { IssueComment } from '../github/port.ts';
import type { RecordContent, RecordScope } from '../records/codec.ts';
import { sealFacts } from '../records/board-seal.ts';
import { textOf } from '../records/codec.ts';
import type { FactRecord } from '../records/fact.ts';
import { factKey } from '../incident/facts.ts';
import { readRecords } from '../records/read.ts';
import { BOARD_FACTS_MAX, type RecordOf } from '../records/record.schema.ts';
import type { IncidentContext, IncidentSnapshot } from './incident.ts';
import { loadIncident } from './incident.ts';

/**
 * The lifecycle commands' facts (acknowledged, commander, update, mitigated, resolved …) live in
 * the status board's record, so those commands need no reply of their own: the closing 👍 and the
 * board say they were done. The board is the one comment every run edits (the issue's runs, the
 * sweep, an alert's run), so every write of it happens while the run holds the board
 * (board-lock.ts), re-reads it and carries forward the facts it holds (publishBoard). Whatever the
 * board cannot take (no board, a board that fails its seal, no room left, another run holding it
 * too long) is posted as a reply with the same record, as a comment of its own.
 */

/** How much of the board's record the facts may take (JSON characters): the board's text needs the rest. */
export const BOARD_FACTS_BUDGET = 16_000;

export type RecordedWhere = 'board' | 'reply';

/** How long a fact waits for the board before it is posted as a reply instead. */
const FACT_WAIT_MS = 20_000;

/** Records `content` (a command's fact) on the board, or posts it with `text` when it cannot. */
export async function recordOnBoard(
  issue: { number: number; title: string },
  content: RecordContent,
  text: string,
  context: IncidentContext,
): Promise<RecordedWhere> {
  // As the board's record will hold it (and read it back): validated, defaults applied.
  const definition = COMMAND_FACTS.get(content.kind);
  if (!definition) throw new Error(`${content.kind} is not a command's fact`);
  const fact = definition.schema.parse({ v: 1, ...content }) as FactRecord;
  const snapshot = await loadIncident(issue, context);
  const board = snapshot.board;
  if (board) {
    let written: Awaited<ReturnType<typeof context.lock.hold<string | undefined>>>;
    try {
      written = await context.lock.hold(
        board.id,
        async () => {
          const fresh = await readBoard(board.id, snapshot.issueNumber, context);
          if (!fresh) return 'the status board fails its seal or is gone';
          const held = fresh.record.facts ?? [];
          if (held.some((other) => sameFact(other, fact))) return undefined;
          const facts = [...held, fact];
          if (!fits(facts)) return 'the status board holds as many facts as it can';
          await context.writer.edit(
            board.id,
            snapshot.issueNumber,
            textOf(fresh.comment.body),
            boardRecord(fresh.record.notified, facts, {
              sealer: context.sealer,
              issueNumber: snapshot.issueNumber,
            }),
          );
          return undefined;
        },
        { waitMs: FACT_WAIT_MS },
      );
    } catch (error) {
      // The board deleted meanwhile, GitHub failing after its retries: the reply still records it.
      written = { held: false, reason: `the status board could not be written (${messageOf(error)})` };
    }
    const why = written.held ? written.value : written.reason;
    if (why === undefined) return 'board';
    context.log(`The ${fact.kind} fact is posted as a reply: ${why}.`);
  }
  await context.writer.post(issue.number, text, content);
  return 'reply';
}

/** The board as GitHub holds it now (an uncached read), with its record; none when it fails its seal. */
export async function readBoard(
  commentId: number,
  issueNumber: number,
  context: Pick<IncidentContext, 'github' | 'selfLogin' | 'sealer'>,
): Promise<{ comment: IssueComment; record: RecordOf<'board'> } | undefined> {
  // Only a deleted board is "gone": any other failure stops the write, so nothing is written blind.
  const comment = await context.github.getComment(commentId);
  if (!comment) return undefined;
  const { records } = readRecords([comment], {
    selfLogin: context.selfLogin,
    scope: { sealer: context.sealer, issueNumber },
  });
  const record = records[0]?.record;
  return record?.kind === 'board' ? { comment, record: record as RecordOf<'board'> } : undefined;
}

/** The facts the snapshot's board holds, with those recovered from an edited board. */
export function boardFactsOf(snapshot: IncidentSnapshot): FactRecord[] {
  const entry = snapshot.records.find(({ comment }) => comment.id === snapshot.board?.id);
  const held = entry?.record.kind === 'board' ? ((entry.record as RecordOf<'board'>).facts ?? []) : [];
  const joined = joinFacts(
    held,
    snapshot.recovered.flatMap(({ facts }) => facts),
  );
  // Should the recovered facts not fit, the newest board's stay; the rest remain where they were found.
  return fits(joined) ? joined : held;
}

/** The board's record: the ledger, and the facts with a seal each. */
export function boardRecord(
  notified: RecordOf<'board'>['notified'],
  facts: readonly FactRecord[],
  scope: RecordScope,
): RecordContent {
  const seals = facts.length > 0 ? sealFacts(facts, scope) : undefined;
  return {
    kind: 'board',
    ...(notified ? { notified } : {}),
    ...(facts.length > 0 ? { facts: [...facts] } : {}),
    ...(seals ? { seals } : {}),
  };
}

/** The facts of both, each once, in the order they were recorded. */
export function joinFacts(theirs: readonly FactRecord[], ours: readonly FactRecord[]): FactRecord[] {
  const joined = [...theirs];
  for (const fact of ours) if (!joined.some((other) => sameFact(other, fact))) joined.push(fact);
  return joined.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Whether the board's record can hold these facts. */
export function fits(facts: readonly FactRecord[]): boolean {
  // Measured as written: the codec escapes every "--" in a record, each seal adds about 25.
  const written = JSON.stringify(facts).replace(/--/g, '-\\u002d').length + facts.length * 25;
  return facts.length <= BOARD_FACTS_MAX && written <= BOARD_FACTS_BUDGET;
}

function sameFact(a: FactRecord, b: FactRecord): boolean {
  return factKey(a) === factKey(b);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
