/** GitHub refuses comment bodies longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

/** A fenced block whose fence is longer than any backtick run inside, so output cannot close it. */
export function codeBlock(text: string, language = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/**
 * Text from a person, a host or the network, shown exactly as it was written and never as
 * Markdown: one code span, so no mention, link, image, emoji or HTML in it is live. Line breaks
 * become spaces, invisible characters are shown by their code point, and it is cut at `max`.
 * Inside a table cell (`table: true`) pipes are escaped so the cell cannot be split.
 */
export function echo(text: string, max = 200, options: { table?: boolean } = {}): string {
  let flat = text
    .replace(/\r\n?|\n|\t/g, ' ')
    .replace(
      /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu,
      (char) => `\\u{${char.codePointAt(0)?.toString(16)}}`,
    )
    .trim();
  const chars = [...flat];
  if (chars.length > max) flat = `${chars.slice(0, max).join('')}…`;
  if (flat.length === 0) return '_(empty)_';
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat;
  const span = `${fence}${padded}${fence}`;
  return options.table ? span.replace(/\|/g, '\\|') : span;
}

/** Text for inline use: no backticks, no newlines, no HTML, bounded. */
export function inline(text: string, max = 200): string {
  const flat = text.replace(/[`\r\n]/g, ' ').replace(/</g, '&lt;');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Keeps the start and the end of `text` within `budget` characters. */
export function headAndTail(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const marker = `\n… ${text.length - budget} characters omitted here; the workflow run log has the captured output …\n`;
  const keep = Math.max(0, budget - marker.length);
  const head = boundary(text, Math.ceil(keep * 0.6));
  return (
    text.slice(0, head) + marker + text.slice(boundary(text, text.length - (keep - Math.ceil(keep * 0.6))))
  );
}

/** `index`, moved back off the second half of a surrogate pair, so a cut never splits a character. */
function boundary(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return index > 0 && code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A time as people read it: `2026-11-26 03:05 UTC` (the date once, minutes, no seconds). */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 10)} ${hhmm(date)} UTC`;
}

/**
 * A time in a list whose day is said once (`day`): `03:05`, or `11-27 00:10` for a time on
 * another day.
 */
export function hhmm(date: Date, day?: Date): string {
  const iso = date.toISOString();
  const time = iso.slice(11, 16);
  return day && iso.slice(0, 10) !== day.toISOString().slice(0, 10) ? `${iso.slice(5, 10)} ${time}` : time;
}

/** The day of a time, said once above times shown with `hhmm`: `2026-11-26`. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Output as it can be shown: no terminal escape sequences or control characters but tab and newline. */
export function printableOutput(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
      // Output can never carry an HTML comment, so it can never look like one of our markers.
      .replace(/<!--/g, '<!-\u200b-')
      .replace(/-->/g, '-\u200b->')
  );
}
