/** GitHub refuses comment and issue bodies longer than this many characters. */
export const BODY_LIMIT = 65_536;

/**
 * `text` cut to at most `max` characters at a line boundary, with `overflow` (a note saying where
 * the rest is) appended. Code fences and `<details>` blocks left open by the cut are closed, so
 * the rest of the comment still renders.
 */
export function boundMarkdown(text: string, max: number, overflow: (omitted: number) => string): string {
  if (text.length <= max) return text;
  const reserve = overflow(text.length).length + 64;
  let cut = text.lastIndexOf('\n', Math.max(0, max - reserve));
  if (cut <= 0) cut = Math.max(0, max - reserve);
  const kept = text.slice(0, cut);
  const closers: string[] = [];
  const fence = openFence(kept);
  if (fence) closers.push(fence);
  const openDetails =
    (kept.match(/<details[\s>]/gi) ?? []).length - (kept.match(/<\/details\s*>/gi) ?? []).length;
  for (let index = 0; index < openDetails; index += 1) closers.push('</details>');
  return [kept, ...closers, '', overflow(text.length - cut)].join('\n');
}

/** The fence that closes the code block `text` leaves open, if any. */
function openFence(text: string): string | undefined {
  let open: { char: string; length: number } | undefined;
  for (const line of text.split('\n')) {
    const match = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!match) continue;
    const run = match[1] ?? '';
    if (!open) open = { char: run[0] ?? '`', length: run.length };
    else if (run[0] === open.char && run.length >= open.length && line.trim() === run) open = undefined;
  }
  return open ? open.char.repeat(open.length) : undefined;
}
