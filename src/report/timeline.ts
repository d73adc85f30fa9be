import type { TimelineEntry } from '../incident/state.ts';
import { dayOf, echo, hhmm } from './markdown.ts';

/** The action's own words for an event (never anyone's text: that is `detail`), kept to one cell. */
function ownText(event: string): string {
  return event.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
}

export interface TimelineOptions {
  /** Longest table to render; the middle rows are left out to fit, with a row saying so. */
  maxChars?: number;
  /** Where the whole timeline can be read when rows are left out. */
  fullAt?: string;
}

/** The incident's timeline as a table: UTC time, actor, event, link. Pure. */
export function renderTimeline(entries: TimelineEntry[], options: TimelineOptions = {}): string {
  const day = entries[0]?.at;
  const header = [`| UTC${day ? `, ${dayOf(day)}` : ''} | Actor | Event | Link |`, '|---|---|---|---|'];
  const rows = entries.map(
    (entry) =>
      `| ${hhmm(entry.at, day)} | @${entry.actor} | ${ownText(entry.event)}${entry.detail ? `: ${echo(entry.detail, 300, { table: true })}` : ''} | ${entry.url ? `[comment](${entry.url})` : '—'} |`,
  );
  const max = options.maxChars ?? Infinity;
  const size = (list: string[]) => list.reduce((total, row) => total + row.length + 1, 0);
  if (size([...header, ...rows]) <= max) return [...header, ...rows].join('\n');
  // Keep the start and the end of the incident; say how much of the middle is left out.
  const budget = max - size(header) - 200;
  const head: string[] = [];
  const tail: string[] = [];
  let used = 0;
  for (let front = 0, back = rows.length - 1; front <= back;) {
    const next = head.length <= tail.length ? rows[front] : rows[back];
    if (next === undefined || used + next.length + 1 > budget) break;
    used += next.length + 1;
    if (head.length <= tail.length) {
      head.push(next);
      front += 1;
    } else {
      tail.unshift(next);
      back -= 1;
    }
  }
  const omitted = rows.length - head.length - tail.length;
  const where = options.fullAt ? ` (the [workflow run](${options.fullAt}) logs the whole timeline)` : '';
  return [
    ...header,
    ...head,
    `| … | | ${omitted} entries left out here to fit GitHub's comment limit${where} | |`,
    ...tail,
  ].join('\n');
}
