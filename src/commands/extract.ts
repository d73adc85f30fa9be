import type { Literal, Nodes, Paragraph, PhrasingContent, Root } from 'mdast';
import { fromMarkdown, type CompileContext, type Extension, type Token } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { mathFromMarkdown } from 'mdast-util-math';
import { gfm } from 'micromark-extension-gfm';
import { math } from 'micromark-extension-math';

/** A line of a comment that reads as a command. */
export interface CommandLine {
  /** The name as typed, without the slash (not yet checked). */
  name: string;
  /** Everything after the name, with only spaces and tabs trimmed. */
  rest: string;
  /** 1-based line number in the comment. */
  line: number;
  /** The whole line as GitHub shows it, with only spaces and tabs trimmed. */
  text: string;
  /** Why the line must not run although it reads as a command: it shows more than plain text. */
  problem?: string;
}

/**
 * A line break written as a character reference (`&#10;`, `&NewLine;`, `&#13;`): GitHub shows it
 * as a space, so it must not start a line. Kept apart from the text around it, which the parser
 * would otherwise merge with it.
 */
interface ReferencedLineEnding extends Literal {
  type: 'referencedLineEnding';
}

declare module 'mdast' {
  interface PhrasingContentMap {
    referencedLineEnding: ReferencedLineEnding;
  }
  interface RootContentMap {
    referencedLineEnding: ReferencedLineEnding;
  }
}

const referencedLineEndings: Extension = {
  exit: {
    // Replaces the parser's own handler, which only pops the text node and ends its position.
    characterReference(this: CompileContext, token: Token) {
      const text = this.stack.pop();
      if (text?.position) text.position.end = point(token.end);
      const parent = this.stack[this.stack.length - 1];
      if (text?.type !== 'text' || !parent || !('children' in parent)) return;
      const decoded = text.value.slice(-1);
      if ((decoded !== '\n' && decoded !== '\r') || parent.children.at(-1) !== text) return;
      text.value = text.value.slice(0, -1);
      if (text.position) text.position.end = point(token.start);
      if (text.value === '') parent.children.pop();
      const position = { start: point(token.start), end: point(token.end) };
      (parent.children as Nodes[]).push({ type: 'referencedLineEnding', value: decoded, position });
    },
  },
};

function point(at: Token['start']) {
  return { line: at.line, column: at.column, offset: at.offset };
}

/** Characters of the inline constructs whose parsing time grows with the square of their count. */
const COSTLY_MARKUP = /[*_~[\]]/g;
/**
 * With more of them than this, those constructs are not parsed (a comment of 16,000 nested images
 * takes minutes), and a paragraph holding any of them gives only problem lines.
 */
const MARKUP_BUDGET = 1000;
const WITHOUT_COSTLY_MARKUP = {
  disable: {
    null: [
      'attention',
      'labelStartLink',
      'labelStartImage',
      'labelEnd',
      'strikethrough',
      'gfmFootnoteCall',
      'gfmPotentialFootnoteCall',
    ],
  },
};
const MDAST_EXTENSIONS = [gfmFromMarkdown(), mathFromMarkdown(), referencedLineEndings];
const MICROMARK_EXTENSIONS = [gfm(), math({ singleDollarTextMath: true })];
const PARSE_OPTIONS = { extensions: MICROMARK_EXTENSIONS, mdastExtensions: MDAST_EXTENSIONS };
const CAREFUL_PARSE_OPTIONS = {
  extensions: [...MICROMARK_EXTENSIONS, WITHOUT_COSTLY_MARKUP],
  mdastExtensions: MDAST_EXTENSIONS,
};

/**
 * Finds the command lines of a comment, reading it as GitHub renders it (CommonMark with GFM
 * and math). A command is a visual line of a top-level paragraph whose first piece is plain text
 * starting with `/`. Everything else is never a command: headings, lists, tables, block quotes,
 * code blocks and spans, math, footnotes, HTML blocks and comments, and any paragraph that sits
 * inside an HTML element an earlier tag opened and has not closed (`<details>`, `<div>`, …).
 * Quoted or collapsed text is somebody else's words, often a copy of earlier output, and is
 * never acted on. A command line that shows more than text, inline code and emphasis (HTML, a
 * link, an image, strikethrough, math, a footnote) is returned with a `problem`, to be refused.
 *
 * The parser's time grows faster than linearly on some inputs, so a comment that would take it
 * long (see `tooCostly`) is not parsed: its first line starting with `/` comes back with a
 * problem. With more than `MARKUP_BUDGET` emphasis, strikethrough or bracket characters those
 * constructs are not parsed, and command lines of paragraphs holding them have a problem.
 */
export function extractCommandLines(body: string): CommandLine[] {
  // Every command has a slash, typed or written as a character reference.
  if (!/[/&]/.test(body)) return [];
  const costly = tooCostly(body);
  if (costly) return unreadable(body, costly);
  const careful = (body.match(COSTLY_MARKUP)?.length ?? 0) > MARKUP_BUDGET;
  let root: Root;
  try {
    root = fromMarkdown(body, careful ? CAREFUL_PARSE_OPTIONS : PARSE_OPTIONS);
  } catch {
    return unreadable(body, 'it nests Markdown too deeply');
  }
  const reading: Reading = { body, careful, nesting: new HtmlNesting() };
  const found: CommandLine[] = [];
  for (const block of root.children) {
    if (block.type !== 'html') reading.nesting.blockStarts(root);
    if (block.type === 'paragraph') {
      const uncertain = careful && /[*_~[\]]/.test(sourceOf(block, body));
      for (const line of visualLines(block, reading, root)) {
        const command = readCommand(line, body);
        if (!command) continue;
        if (uncertain) command.problem = UNCERTAIN;
        found.push(command);
      }
    } else {
      trackHtml(block, root, reading);
    }
  }
  return found;
}

const UNCERTAIN =
  'the comment has too much Markdown (`*`, `_`, `~`, `[`, `]`) to check how GitHub shows this line; post the command in a short comment of its own';

interface Reading {
  body: string;
  /** Emphasis, strikethrough, links and footnote calls were not parsed. */
  careful: boolean;
  nesting: HtmlNesting;
}

function sourceOf(node: Nodes, body: string): string {
  return body.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? body.length);
}

/**
 * Whether `body` would keep the parser busy for long, and why: quotes or lists nested deep on
 * one line (4,000 list markers take seconds), many lines that continue a quote or list item
 * ("lazily") in a long run without a blank line (each such line makes it look back over the run),
 * or many HTML comment, declaration or instruction openers (each unclosed one is looked for to the
 * end of its paragraph: 4,000 `<![CDATA[` take 2 s).
 */
function tooCostly(body: string): string | undefined {
  if (DEEPLY_NESTED.test(body)) return 'quotes or lists nested more than 32 deep';
  if ((body.match(/<[!?]/g)?.length ?? 0) > DECLARATION_BUDGET) return 'over 1,000 `<!` or `<?`';
  let work = 0;
  let run = 0;
  let continuing = 0;
  let inContainer = false;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (/^[ \t]*$/.test(line)) {
      work += run * continuing;
      run = continuing = 0;
      inContainer = false;
      continue;
    }
    run += 1;
    if (CONTAINER_START.test(line)) inContainer = true;
    else if (inContainer) continuing += 1;
  }
  work += run * continuing;
  return work > LAZY_WORK_BUDGET ? 'thousands of lines continuing a quote or list item' : undefined;
}

/** More quote or list markers than this at the start of one line are not parsed. */
const DEEPLY_NESTED = /^(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t\r\n]|$))){33}/m;
const CONTAINER_START = /^[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$))/;
const DECLARATION_BUDGET = 1000;
/** 2,000 continuation lines in a run of 2,000 lines take the parser about 0.2 s here. */
const LAZY_WORK_BUDGET = 4_000_000;

/** The first line that may be a command, with the reason the comment was not read. */
function unreadable(body: string, reason: string): CommandLine[] {
  const lines = body.split(/\r\n|\r|\n/);
  const index = lines.findIndex((line) => /^[ \t]*\//.test(line));
  const text = trim(lines[index] ?? '');
  const match = /^\/(\S*)([\s\S]*)$/.exec(text);
  if (!match) return [];
  const problem = `the comment is too costly to read safely (${reason}); post the command in a short comment of its own`;
  return [{ name: match[1] ?? '', rest: trim(match[2] ?? ''), line: index + 1, text, problem }];
}

/** What a piece of a line is: its own node type, and that of the paragraph child it sits in. */
interface Segment {
  text: string;
  /** The type of the paragraph's child this piece belongs to (`text` for plain text). */
  outer: string;
  /** The first node that keeps this piece from being plain text, if any. */
  offending?: PhrasingContent;
}

interface VisualLine {
  line: number;
  /** Inside an HTML element, comment or tag left open by earlier HTML. */
  hidden: boolean;
  segments: Segment[];
}

/** What GitHub shows instead of plain text, for the nodes that make a command line a problem. */
const OFFENDING: Record<string, string> = {
  html: 'HTML',
  link: 'a link',
  linkReference: 'a link',
  image: 'an image',
  imageReference: 'an image',
  delete: 'struck-through text',
  footnoteReference: 'a footnote reference',
  inlineMath: 'math',
};

/**
 * A bare URL that GitHub links shows exactly its address, so it is what people read (useful in
 * `/update` text); any other link shows words that are not its target, and is refused.
 */
function isAutolink(node: PhrasingContent): boolean {
  if (node.type !== 'link' || node.children.length !== 1) return false;
  const [child] = node.children;
  if (child?.type !== 'text') return false;
  return [child.value, `http://${child.value}`, `mailto:${child.value}`].includes(node.url);
}

const offendingNode = (node: PhrasingContent) =>
  node.type in OFFENDING && !isAutolink(node) ? node : undefined;

/** Splits a paragraph into the lines GitHub shows: at line endings in text and at hard breaks. */
function visualLines(paragraph: Paragraph, reading: Reading, scope: object): VisualLine[] {
  const { nesting } = reading;
  const mayClose = closesElements(paragraph, reading);
  const lines: VisualLine[] = [];
  let current: VisualLine = { line: 0, hidden: false, segments: [] };
  const startLine = (line: number) => {
    current = { line, hidden: nesting.hidden, segments: [] };
    lines.push(current);
  };
  startLine(paragraph.position?.start.line ?? 1);

  const walk = (node: PhrasingContent, outer: string | undefined, offending: PhrasingContent | undefined) => {
    const add = (text: string) => current.segments.push({ text, outer: outer ?? node.type, offending });
    switch (node.type) {
      case 'text':
        node.value.split(/\r\n|\r|\n/).forEach((piece, index) => {
          if (index > 0) startLine((node.position?.start.line ?? current.line) + index);
          if (piece !== '') add(piece);
        });
        return;
      case 'referencedLineEnding':
        current.segments.push({ text: node.value, outer: outer ?? 'text', offending });
        return;
      case 'break':
        startLine(node.position?.end.line ?? current.line + 1);
        return;
      case 'inlineCode':
        // CommonMark shows the line endings of a code span as spaces.
        add(node.value.replace(/\r\n|\r|\n/g, ' '));
        return;
      case 'inlineMath':
        add(node.value);
        return;
      case 'html':
        add(node.value);
        nesting.feed(node.value, scope, mayClose);
        return;
      case 'image':
      case 'imageReference':
        add(node.alt ?? '');
        return;
      case 'footnoteReference':
        add(`[^${node.label ?? node.identifier}]`);
        return;
      default:
        for (const child of node.children) walk(child, outer ?? node.type, offending ?? offendingNode(child));
    }
  };
  for (const child of paragraph.children) walk(child, undefined, offendingNode(child));
  return lines;
}

const trim = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, '');

function readCommand(line: VisualLine, body: string): CommandLine | undefined {
  if (line.hidden) return undefined;
  const first = line.segments.find((segment) => trim(segment.text) !== '');
  if (!first || first.outer !== 'text' || !trim(first.text).startsWith('/')) return undefined;
  // Only spaces and tabs are trimmed: invisible characters stay, to be refused by name.
  const text = trim(line.segments.map((segment) => segment.text).join(''));
  const match = /^\/(\S*)([\s\S]*)$/.exec(text);
  if (!match) return undefined;
  const command: CommandLine = { name: match[1] ?? '', rest: trim(match[2] ?? ''), line: line.line, text };
  const offending = line.segments.find((segment) => segment.offending)?.offending;
  if (offending) command.problem = describeProblem(offending, body);
  return command;
}

function describeProblem(node: PhrasingContent, body: string): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  const typed = start === undefined || end === undefined ? '' : body.slice(start, end);
  const shown = typed.replace(/\s+/g, ' ').replace(/`/g, "'");
  const chars = [...shown];
  const quoted =
    shown === '' ? '' : ` (\`${chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : shown}\`)`;
  const what = OFFENDING[node.type] ?? 'markup';
  const advice = what === 'a link' ? ', with any address in backticks' : '';
  return `the command line contains ${what}${quoted}; write the command as plain text${advice}`;
}

/** Feeds every HTML node under `node` to the nesting, each in the scope of its container. */
function trackHtml(node: Nodes, scope: object, reading: Reading, mayClose = true): void {
  if (node.type === 'html') {
    reading.nesting.feed(node.value, scope, mayClose);
    return;
  }
  if (!('children' in node)) return;
  const inner = CONTAINERS.has(node.type) ? node : scope;
  const closes = LEAVES.has(node.type) ? closesElements(node, reading) : mayClose;
  for (const child of node.children) trackHtml(child, inner, reading, closes);
  if (inner !== scope) reading.nesting.leave(inner);
}

/** Blocks whose content is inline: text, code spans, HTML, links, emphasis. */
const LEAVES = new Set(['paragraph', 'heading', 'tableCell']);

/**
 * Whether the HTML in an inline block may close elements. Not when links were left unparsed and
 * the block has brackets: a link's address such as `(</details>)` would then read as HTML.
 */
function closesElements(leaf: Nodes, reading: Reading): boolean {
  return !reading.careful || !/[[\]]/.test(sourceOf(leaf, reading.body));
}

/** Markdown containers: HTML opened inside one cannot be closed from outside it. */
const CONTAINERS = new Set(['blockquote', 'listItem', 'footnoteDefinition', 'tableCell']);
const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Elements that an end tag of an element around them closes too ("implied end tags"). */
const IMPLIED_END = new Set(['dd', 'dt', 'li', 'optgroup', 'option', 'p', 'rb', 'rp', 'rt', 'rtc']);
const TABLE_PARTS = new Set(['caption', 'colgroup', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr']);
const IMPLIED_END_IN_TABLE = new Set([...IMPLIED_END, ...TABLE_PARTS]);
/** Elements that some HTML parsers keep open past the end of a quote or list item around them. */
const STICKY = new Set([
  ...TABLE_PARTS,
  'applet',
  'body',
  'div',
  'head',
  'html',
  'marquee',
  'object',
  'table',
  'template',
]);

/**
 * The HTML elements left open by the comment's HTML so far, in document order. It errs towards
 * "still open": an end tag closes only the innermost element (after those whose end tags may be
 * left out), self-closing syntax does not close an element (browsers ignore it), and a tag or
 * comment still unfinished at the end of an HTML node hides everything after it.
 */
class HtmlNesting {
  private readonly open: { name: string; scope: object }[] = [];
  private unfinished = false;

  get hidden(): boolean {
    return this.unfinished || this.open.length > 0;
  }

  /** Reads one HTML node in `scope`; its end tags count only when `mayClose`. */
  feed(html: string, scope: object, mayClose = true): void {
    if (this.unfinished) return;
    const finished = scanTags(html, (name, closing) => {
      if (!closing) {
        if (!VOID_ELEMENTS.has(name)) this.open.push({ name, scope });
      } else if (mayClose) this.close(name, scope);
    });
    if (!finished) this.unfinished = true;
  }

  /** A Markdown block starts: it closes a `<p>` left open just before it, as `<p>` may be. */
  blockStarts(scope: object): void {
    while (this.top?.name === 'p' && this.top.scope === scope) this.open.pop();
  }

  private get top() {
    return this.open[this.open.length - 1];
  }

  private close(name: string, scope: object): void {
    const implied = TABLE_PARTS.has(name) || name === 'table' ? IMPLIED_END_IN_TABLE : IMPLIED_END;
    let index = this.open.length - 1;
    while (index >= 0) {
      const element = this.open[index];
      if (!element || element.scope !== scope) return;
      if (element.name === name) break;
      if (!implied.has(element.name)) return;
      index -= 1;
    }
    if (index >= 0) this.open.length = index;
  }

  /** A container ends and closes what was opened in it, up to an element that may outlive it. */
  leave(scope: object): void {
    while (this.top?.scope === scope && !STICKY.has(this.top.name)) this.open.pop();
  }
}

const WHITESPACE = /[\t\n\f\r ]/;

/**
 * Reads the tags of raw HTML the way a browser tokenises it, calling `onTag` for each start and
 * end tag. Comments, `<!…>` declarations and CDATA, and `<?…>` are skipped. Returns false when
 * the HTML ends inside a tag or comment, which then goes on over whatever GitHub renders next.
 */
function scanTags(html: string, onTag: (name: string, closing: boolean) => void): boolean {
  let at = 0;
  for (;;) {
    const lt = html.indexOf('<', at);
    if (lt < 0) return true;
    at = lt + 1;
    const next = html[at];
    if (html.startsWith('!--', at)) {
      const body = at + 3;
      if (html.startsWith('>', body) || html.startsWith('->', body)) {
        at = html.indexOf('>', body) + 1;
        continue;
      }
      const end = /--!?>/.exec(html.slice(body));
      if (!end) return false;
      at = body + end.index + end[0].length;
    } else if (next === '!' || next === '?' || (next === '/' && !/[A-Za-z>]/.test(html[at + 1] ?? ''))) {
      // Declarations, CDATA, processing instructions and `</` + non-letter end at the first `>`.
      if (next === '/' && at + 1 >= html.length) return false;
      const end = html.indexOf('>', at);
      if (end < 0) return false;
      at = end + 1;
    } else if (next === '/' && html[at + 1] === '>') {
      at += 2;
    } else if (next !== undefined && /[A-Za-z/]/.test(next)) {
      const closing = next === '/';
      const end = endOfTag(html, closing ? at + 1 : at);
      if (end < 0) return false;
      const name = /^[^\t\n\f\r />]+/.exec(html.slice(closing ? at + 1 : at))?.[0] ?? '';
      onTag(name.toLowerCase(), closing);
      at = end;
    } else if (next === undefined) {
      // A lone `<` at the very end is text.
      return true;
    }
  }
}

/** The index just past the `>` that ends the tag whose name starts at `from`, or -1. */
function endOfTag(html: string, from: number): number {
  let at = from;
  while (at < html.length && !WHITESPACE.test(html[at] ?? '') && html[at] !== '/' && html[at] !== '>')
    at += 1;
  for (;;) {
    while (at < html.length && (WHITESPACE.test(html[at] ?? '') || html[at] === '/')) at += 1;
    if (at >= html.length) return -1;
    if (html[at] === '>') return at + 1;
    // An attribute name (a leading `=` is part of it), then maybe `=` and a value.
    at += 1;
    while (at < html.length && !/[\t\n\f\r />=]/.test(html[at] ?? '')) at += 1;
    while (at < html.length && WHITESPACE.test(html[at] ?? '')) at += 1;
    if (html[at] !== '=') continue;
    at += 1;
    while (at < html.length && WHITESPACE.test(html[at] ?? '')) at += 1;
    const quote = html[at];
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, at + 1);
      if (close < 0) return -1;
      at = close + 1;
    } else {
      while (at < html.length && !WHITESPACE.test(html[at] ?? '') && html[at] !== '>') at += 1;
    }
  }
}
