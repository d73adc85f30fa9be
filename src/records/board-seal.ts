import type { IssueComment } from '../github/port.ts';
import type { RecordScope } from './codec.ts';
import type { FactRecord } from './fact.ts';
import { recordSchema, type RecordOf } from './record.schema.ts';

/**
 * Each fact on the status board carries a seal of its own, besides the board's seal over the whole
 * comment. Anyone with write access can edit the board (ticking one of its checkboxes is an edit),
 * and an edited board fails its seal, so its record is no longer trusted as a whole. The facts
 * whose own seal still holds are recovered from it and carried onto the next board: an edit can
 * drop the board, never what responders recorded. A fact's seal covers the fact and the issue, so
 * a fact moved from another issue, changed, or made up fails it.
 */

/** The fact as one canonical string: its fields sorted, undefined ones left out. */
export function canonicalFact(fact: FactRecord): string {
  return JSON.stringify(
    Object.entries(fact)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

function material(issueNumber: number, fact: FactRecord): string {
  return `incident-issueops board fact v1\nissue ${issueNumber}\n${canonicalFact(fact)}`;
}

/** The seals to write with `facts`, one per fact (none when unsealed). */
export function sealFacts(facts: readonly FactRecord[], scope: RecordScope): string[] | undefined {
  if (scope.sealer.mode !== 'sealed') return undefined;
  return facts.map((fact) => scope.sealer.seal(material(scope.issueNumber, fact)) ?? '');
}

const TRAILER = /<!-- incident-issueops (\{[^\n]*\}) -->$/;

/**
 * The facts whose own seal holds, from the action's comments whose record fails its seal (an
 * edited board). Nothing else of such a record is read.
 */
export function recoverFacts(
  tampered: readonly IssueComment[],
  scope: RecordScope,
): { comment: IssueComment; facts: FactRecord[] }[] {
  if (scope.sealer.mode !== 'sealed') return [];
  const recovered: { comment: IssueComment; facts: FactRecord[] }[] = [];
  for (const comment of tampered) {
    const json = TRAILER.exec(comment.body.trimEnd())?.[1];
    if (!json) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      continue;
    }
    if (typeof raw !== 'object' || raw === null) continue;
    // The whole record's seal failed already; the schema drops it with the nonce.
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success || parsed.data.kind !== 'board') continue;
    const board = parsed.data as RecordOf<'board'>;
    // Any seal of the list may be a fact's: an edit that inserts, drops or reorders facts
    // costs only the facts it touched.
    const seals = new Set(board.seals ?? []);
    const facts = (board.facts ?? []).filter((fact) => {
      const expected = scope.sealer.seal(material(scope.issueNumber, fact));
      return expected !== undefined && seals.has(expected);
    });
    if (facts.length > 0) recovered.push({ comment, facts });
  }
  return recovered;
}
