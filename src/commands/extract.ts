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

/**
 * Finds the command lines of a comment. A command is a line that begins with `/` (after at most
 * three spaces, as Markdown allows) and is not inside a fenced code block, an indented code block,
 * a block quote, an HTML comment or a `<details>` block. Quoted or collapsed text is somebody
 * else's words, often a copy of earlier output, and is never acted on.
 */
export function extractCommandLines(body: string): CommandLine[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const found: CommandLine[] = [];
  let fence: string | undefined;
  let inHtmlComment = false;
  let detailsDepth = 0;

  lines.forEach((raw, index) => {
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
    if (line.includes('<!--')) {
      inHtmlComment = true;
      line = line.slice(0, line.indexOf('<!--'));
    }
    const opened = FENCE.exec(line);
    if (opened) {
      fence = opened[1];
      return;
    }
    detailsDepth += countTags(line, /<details[\s>]/gi);
    const closes = countTags(line, /<\/details\s*>/gi);
    const inDetails = detailsDepth > 0;
    detailsDepth = Math.max(0, detailsDepth - closes);
    if (inDetails) return;

    const match = /^ {0,3}\/(\S*)(.*)$/.exec(line);
    if (!match || !startsLine || !/^ {0,3}\//.test(raw)) return;
    found.push({ name: match[1] ?? '', rest: (match[2] ?? '').trim(), line: index + 1, text: line.trim() });
  });
  return found;
}

function stripHtmlComments(line: string): string {
  return line.replace(/<!--.*?-->/g, '');
}

function countTags(line: string, tag: RegExp): number {
  return [...line.matchAll(tag)].length;
}
