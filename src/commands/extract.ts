/** A line of a comment that reads as a command. */
export interface CommandLine {
  /** The name as typed, without the slash (not yet checked). */
  name: string;
  /** Everything after the name, trimmed. */
  rest: string;
  /** 1-based line number in the comment. */
  line: number;
  /** The whole line as typed, trimmed. */
  text: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** HTML blocks whose content is quoted or copied text: never commands. */
const HIDDEN_OPEN = /<(?:details|blockquote|pre)[\s>]/gi;
const HIDDEN_CLOSE = /<\/(?:details|blockquote|pre)\s*>/gi;

/**
 * Finds the command lines of a comment. A command is a line that begins with `/` (after at most
 * three spaces, as Markdown allows) and is not inside a fenced code block, an indented code block,
 * a block quote (with its lazy continuation lines), an HTML comment or a `<details>`,
 * `<blockquote>` or `<pre>` block. Quoted or collapsed text is somebody
 * else's words, often a copy of earlier output, and is never acted on.
 */
export function extractCommandLines(body: string): CommandLine[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const found: CommandLine[] = [];
  let fence: string | undefined;
  let inHtmlComment = false;
  let hiddenDepth = 0;
  let inQuote = false;

  lines.forEach((raw, index) => {
    // A block quote goes on over "lazy" lines until a blank line ends it.
    if (/^ {0,3}>/.test(raw)) inQuote = true;
    else if (raw.trim() === '') inQuote = false;
    else if (inQuote) return;
    let line = raw;
    // A command must start its line as typed; text after a closing `-->` never does.
    let startsLine = true;
    if (fence) {
      if (new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(line)) fence = undefined;
      return;
    }
    if (inHtmlComment) {
      const end = line.indexOf('-->');
      if (end < 0) return;
      inHtmlComment = false;
      line = line.slice(end + 3);
      startsLine = false;
    }
    line = stripHtmlComments(line);
    // Tags and comment openers inside inline code are text, not HTML.
    const html = line.replace(/`+[^`]*`+/g, '');
    if (html.includes('<!--')) {
      inHtmlComment = true;
      line = line.slice(0, line.indexOf('<!--'));
    }
    const opened = FENCE.exec(line);
    if (opened) {
      fence = opened[1];
      return;
    }
    hiddenDepth += countTags(html, HIDDEN_OPEN);
    const closes = countTags(html, HIDDEN_CLOSE);
    const hidden = hiddenDepth > 0;
    hiddenDepth = Math.max(0, hiddenDepth - closes);
    if (hidden) return;

    const match = /^ {0,3}\/(\S*)(.*)$/.exec(line);
    if (!match || !startsLine || !/^ {0,3}\//.test(raw)) return;
    // Only spaces and tabs are trimmed: invisible characters stay, to be refused by name.
    const trim = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, '');
    found.push({ name: match[1] ?? '', rest: trim(match[2] ?? ''), line: index + 1, text: trim(line) });
  });
  return found;
}

function stripHtmlComments(line: string): string {
  return line.replace(/<!--.*?-->/g, '');
}

function countTags(line: string, tag: RegExp): number {
  return [...line.matchAll(tag)].length;
}
