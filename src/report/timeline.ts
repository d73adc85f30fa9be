import type { TimelineEntry } from '../incident/state.ts';
import { inline, utc } from './markdown.ts';

/** The incident's timeline as a table: UTC time, actor, event, link. Pure. */
export function renderTimeline(entries: TimelineEntry[]): string {
  return [
    '| UTC | Actor | Event | Link |',
    '|---|---|---|---|',
    ...entries.map(
      (entry) =>
        `| ${utc(entry.at)} | @${entry.actor} | ${inline(entry.event, 300).replace(/\|/g, '\\|')} | ${entry.url ? `[comment](${entry.url})` : '—'} |`,
    ),
  ].join('\n');
}
