import { StringDecoder } from 'node:string_decoder';
import {
  knownSecretLines,
  placeholder,
  PRIVATE_KEY_BEGIN,
  PRIVATE_KEY_BODY_LINE,
  PRIVATE_KEY_END,
  redact,
  SECRET_PATTERNS,
} from '../report/redact.ts';

/**
 * Host output on its way in: raw bytes become text that is safe to keep, show and log. Terminal
 * escapes and control characters go first (a colour code before `ghp_` hides the token from the
 * patterns), then every secret is replaced over the whole stream, so that nothing cut later — the
 * head and tail of a flood, a comment's budget — can split a secret away from its prefix.
 */
export interface OutputFilter {
  /** Takes the next bytes; returns the text that can be released so far (often whole lines). */
  push(chunk: Buffer): string;
  /** Releases what was held back. Call once, after the last chunk. */
  end(): string;
  /** How many values were replaced so far, by kind (`GitHub token`, `private key`, …), for the log. */
  redactions(): Record<string, number>;
}

/** The longest escape sequence waited for; an unterminated one loses its introducer and shows as text. */
export const MAX_SEQUENCE = 256;
/** A line longer than this is released in pieces. */
export const REDACTION_WINDOW = 64 * 1024;
/** A forced split leaves at least this much of the window for the next one, so a secret this long is seen whole. */
export const REDACTION_MARGIN = 16 * 1024;
/** The longest END line of a key that is looked for. */
const MAX_KEY_ARMOUR = 256;
const KEY_END = new RegExp(PRIVATE_KEY_END.source, 'g');
/** Lines that look like a key's body are held back up to this size, in case a key's END follows. */
const HELD_KEY_LINES = 16 * 1024;

export function createOutputFilter(knownSecrets: readonly string[]): OutputFilter {
  const sanitiser = createSanitiser();
  const redactor = createRedactor(knownSecretLines(knownSecrets));
  let ended = false;
  return {
    push(chunk) {
      if (ended) throw new Error('output filter: push() after end()');
      return redactor.push(sanitiser.push(chunk), false);
    },
    end() {
      if (ended) return '';
      ended = true;
      return redactor.push(sanitiser.end(), true);
    },
    redactions: () => ({ ...redactor.counts }),
  };
}

// --- Sanitise: UTF-8 text with no terminal escapes and no control characters but \n and \t ---

const ESC = 0x1b;
const BEL = 0x07;
const C1_CSI = 0x9b;
const C1_ST = 0x9c;
/** C1 introducers of string sequences: DCS, SOS, OSC, PM, APC. */
const C1_STRINGS = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]);
/** After ESC, the string sequences OSC, DCS, SOS, PM, APC. */
const ESC_STRINGS = new Set([...']PX^_'].map((char) => char.charCodeAt(0)));

/**
 * Everything the scanner stops at: C0 controls but tab and newline, DEL, C1 controls, and the
 * invisible characters (soft hyphen, zero-width characters and joiners, line and paragraph
 * separators, bidirectional controls, fillers, variation selectors, tag characters) that would let
 * a token be printed in pieces or the text be shown in another order than it was written.
 */
const SPECIAL =
  // Combining and joining characters are listed on purpose: each goes on its own.
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;

/**
 * Where an escape sequence ends: an index; `more` if the text ends before that is known;
 * `exhausted` if the first MAX_SEQUENCE characters did not decide it.
 */
type SequenceEnd = number | 'more' | 'exhausted';

function createSanitiser(): { push(chunk: Buffer): string; end(): string } {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  return {
    push: (chunk) => scan(carry + decoder.write(chunk), false),
    end: () => scan(carry + decoder.end(), true),
  };

  function scan(text: string, final: boolean): string {
    const out: string[] = [];
    carry = '';
    let i = 0;
    for (;;) {
      SPECIAL.lastIndex = i;
      const found = SPECIAL.exec(text);
      if (!found) {
        out.push(text.slice(i));
        break;
      }
      const at = found.index;
      out.push(text.slice(i, at));
      const code = text.charCodeAt(at);
      if (code === 0x0d) {
        // Overprinting (`\r` progress bars) becomes one line per state; `\r\n` is one line end.
        let next = at + 1;
        while (text.charCodeAt(next) === 0x0d) next += 1;
        if (next === text.length && !final) {
          carry = '\r';
          break;
        }
        if (text.charCodeAt(next) !== 0x0a) out.push('\n');
        i = next;
        continue;
      }
      if (code !== ESC && code !== C1_CSI && !C1_STRINGS.has(code)) {
        i = at + found[0].length;
        continue;
      }
      const end = sequenceEnd(text, at);
      if (typeof end === 'number') {
        i = end;
      } else if (end === 'exhausted' && text.length - at >= MAX_SEQUENCE) {
        // Too long to be a sequence a terminal would act on: only its introducer goes.
        i = at + introducerLength(text, at);
      } else if (final) {
        // Cut off by the end of the output: nothing of it is text.
        i = text.length;
      } else {
        carry = text.slice(at);
        break;
      }
    }
    return out.join('');
  }
}

/** `ESC [` and `ESC ]` (and the other string openers) are two characters; the C1 forms one. */
function introducerLength(text: string, at: number): number {
  if (text.charCodeAt(at) !== ESC) return 1;
  const next = text.charCodeAt(at + 1);
  return next === 0x5b || ESC_STRINGS.has(next) ? 2 : 1;
}

/**
 * The end of the escape sequence at `at`, decided on its first MAX_SEQUENCE characters so that
 * the answer never depends on how the stream was chunked. A malformed sequence ends where it
 * breaks; the breaking character is scanned again as text.
 */
function sequenceEnd(text: string, at: number): SequenceEnd {
  const limit = Math.min(text.length, at + MAX_SEQUENCE);
  const code = text.charCodeAt(at);
  if (code === C1_CSI) return controlSequenceEnd(text, at + 1, limit);
  if (code !== ESC) return stringEnd(text, at + 1, limit);
  if (at + 1 >= text.length) return 'more';
  const next = text.charCodeAt(at + 1);
  if (next === 0x5b) return controlSequenceEnd(text, at + 2, limit);
  if (ESC_STRINGS.has(next)) return stringEnd(text, at + 2, limit);
  if (next >= 0x20 && next <= 0x2f) {
    // nF: intermediates, then a final byte (`ESC ( B` selects a character set).
    for (let k = at + 2; k < limit; k += 1) {
      const c = text.charCodeAt(k);
      if (c >= 0x20 && c <= 0x2f) continue;
      return c >= 0x30 && c <= 0x7e ? k + 1 : k;
    }
    return 'exhausted';
  }
  if (next >= 0x30 && next <= 0x7e) return at + 2;
  // A lone ESC before something no sequence starts with.
  return at + 1;
}

/** CSI: parameter and intermediate bytes, then one final byte. */
function controlSequenceEnd(text: string, from: number, limit: number): SequenceEnd {
  for (let k = from; k < limit; k += 1) {
    const c = text.charCodeAt(k);
    if (c >= 0x20 && c <= 0x3f) continue;
    return c >= 0x40 && c <= 0x7e ? k + 1 : k;
  }
  return 'exhausted';
}

/** OSC, DCS, SOS, PM, APC: anything up to BEL or ST (`ESC \` or U+009C); another ESC cancels. */
function stringEnd(text: string, from: number, limit: number): SequenceEnd {
  for (let k = from; k < limit; k += 1) {
    const c = text.charCodeAt(k);
    if (c === BEL || c === C1_ST) return k + 1;
    if (c !== ESC) continue;
    if (k + 1 >= text.length) return 'more';
    return text.charCodeAt(k + 1) === 0x5c ? k + 2 : k;
  }
  return 'exhausted';
}

// --- Redact: whole lines where possible, bounded windows where a line has no end ---

interface Span {
  start: number;
  end: number;
  kind: string;
  /** Shape matches may look one character past their end (`\b`, `(?=@)`): a split must not fall there. */
  reachesPastEnd: boolean;
}

function createRedactor(secretLines: readonly string[]) {
  const longestSecret = Math.max(0, ...secretLines.map((line) => line.length));
  const margin = Math.max(REDACTION_MARGIN, longestSecret + 1);
  const window = Math.max(REDACTION_WINDOW, 4 * margin);
  const counts: Record<string, number> = {};
  /** Text looked at but not yet released: never a newline, shorter than a window. */
  let pending = '';
  /** Text not yet looked at: while it cannot finish a line or fill a window, it only waits here. */
  let queued: string[] = [];
  let queuedLength = 0;
  /** Inside a PEM private key: nothing is released until its END line. */
  let inKey = false;
  /** A secret ran past a whole window: the rest of it (up to whitespace) is dropped too. */
  let swallowing = false;
  /** Lines that may be the body of a key whose BEGIN line this output never had. */
  let held: string[] = [];
  let heldLength = 0;

  return { push, counts };

  function push(text: string, final: boolean): string {
    queued.push(text);
    queuedLength += text.length;
    // Looking again at a long unfinished line for every small chunk would cost its length each time.
    const waits = !final && !inKey && !swallowing && !text.includes('\n');
    if (waits && pending.length + queuedLength < window) return '';
    pending += queued.join('');
    queued = [];
    queuedLength = 0;
    const out: string[] = [];
    let pos = 0;
    // The next newline at or after `pos` (-1: none in `pending`), so a long line is searched once.
    let newline = pending.indexOf('\n');
    for (;;) {
      if (newline >= 0 && newline < pos) newline = pending.indexOf('\n', pos);
      if (swallowing) {
        const rest = pending.slice(pos).search(/\s/);
        if (rest < 0) {
          pos = pending.length;
          break;
        }
        pos += rest;
        swallowing = false;
      }
      if (inKey) {
        pos = skipKey(pos, final);
        if (inKey) break;
        continue;
      }
      if (newline >= 0 && newline - pos < window) {
        pos = line(out, pos, newline, true);
      } else if (pending.length - pos >= window) {
        pos = split(out, pos);
      } else if (final && pos < pending.length) {
        pos = line(out, pos, pending.length, false);
      } else {
        break;
      }
    }
    if (final) {
      flushHeld(out);
      pending = '';
    } else {
      pending = pending.slice(pos);
    }
    return out.join('');
  }

  /** Drops key material up to and including the END line; returns where to go on. */
  function skipKey(pos: number, final: boolean): number {
    const rest = pending.slice(pos);
    for (const end of rest.matchAll(KEY_END)) {
      // Only an END line that a chunk boundary cannot hide counts, so chunking never changes the result.
      if (end[0].length > MAX_KEY_ARMOUR) continue;
      inKey = false;
      return pos + end.index + end[0].length;
    }
    if (final) return pending.length;
    // An END line may be arriving: keep the unfinished line, as much of it as an END could need.
    const lineStart = rest.lastIndexOf('\n') + 1;
    return pos + Math.max(lineStart, rest.length - MAX_KEY_ARMOUR);
  }

  /** One line, [pos, stop), with its newline if `complete`; returns where the next one starts. */
  function line(out: string[], pos: number, stop: number, complete: boolean): number {
    const text = pending.slice(pos, stop);
    const begin = PRIVATE_KEY_BEGIN.exec(text);
    if (begin) return openKey(out, pos, text, begin);
    if (held.length > 0 && text.startsWith('-----END ')) {
      const end = PRIVATE_KEY_END.exec(text);
      if (end?.index === 0) {
        // The end of a key whose BEGIN line came before the output did (`tail id_rsa`).
        held = [];
        heldLength = 0;
        release(out, placeholder('private key'), 'private key');
        return pos + end[0].length;
      }
    }
    if (complete && PRIVATE_KEY_BODY_LINE.test(text)) {
      hold(out, text);
      return stop + 1;
    }
    flushHeld(out);
    out.push(clean(text) + (complete ? '\n' : ''));
    return complete ? stop + 1 : stop;
  }

  function openKey(out: string[], pos: number, text: string, begin: RegExpExecArray): number {
    flushHeld(out);
    out.push(clean(text.slice(0, begin.index)));
    release(out, placeholder('private key'), 'private key');
    inKey = true;
    return pos + begin.index + begin[0].length;
  }

  /**
   * Releases part of a line that has filled a whole window. The split point starts `margin`
   * before the window's end and moves left to the start of any match that crosses it, so every
   * secret up to `margin` long is redacted whole, in this window or the next.
   */
  function split(out: string[], pos: number): number {
    flushHeld(out);
    const text = pending.slice(pos, pos + window);
    const begin = PRIVATE_KEY_BEGIN.exec(text);
    if (begin) return openKey(out, pos, text, begin);
    const spans = matchSpans(text);
    let cut = splitPoint(spans, window - margin);
    // Never between the two halves of a surrogate pair.
    while (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut = splitPoint(spans, cut - 1);
    if (cut > 0) {
      out.push(clean(text.slice(0, cut)));
      return pos + cut;
    }
    // Matches run from the window's start past the split point: one secret, redacted whole.
    const first = spans.filter((span) => span.start === 0).sort((a, b) => b.end - a.end)[0];
    const kind = first?.kind ?? 'secret';
    const end = chainEnd(spans, window - margin);
    release(out, placeholder(kind), kind);
    if (end >= text.length) swallowing = true;
    return pos + end;
  }

  function matchSpans(text: string): Span[] {
    const spans: Span[] = [];
    for (const { name, pattern } of SECRET_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        spans.push({
          start: match.index,
          end: match.index + match[0].length,
          kind: name,
          reachesPastEnd: true,
        });
      }
    }
    for (const secret of secretLines) {
      for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
        spans.push({ start: at, end: at + secret.length, kind: 'known secret', reachesPastEnd: false });
      }
    }
    for (const match of text.matchAll(/<!--|-->/g)) {
      spans.push({
        start: match.index,
        end: match.index + match[0].length,
        kind: 'marker',
        reachesPastEnd: false,
      });
    }
    return spans;
  }

  function hold(out: string[], text: string): void {
    held.push(text);
    heldLength += text.length + 1;
    while (heldLength > HELD_KEY_LINES && held.length > 0) {
      const oldest = held.shift() ?? '';
      heldLength -= oldest.length + 1;
      out.push(clean(oldest) + '\n');
    }
  }

  function flushHeld(out: string[]): void {
    for (const text of held) out.push(clean(text) + '\n');
    held = [];
    heldLength = 0;
  }

  function release(out: string[], text: string, kind: string): void {
    counts[kind] = (counts[kind] ?? 0) + 1;
    out.push(text);
  }

  /** Redacts a piece of one line and defuses HTML comment markers in what is left. */
  function clean(text: string): string {
    if (text.length === 0) return '';
    const redacted = redact(text, secretLines);
    for (const [kind, count] of Object.entries(redacted.counts)) counts[kind] = (counts[kind] ?? 0) + count;
    // Output can never carry an HTML comment, so it can never look like one of our markers.
    return redacted.text.replace(/<!--/g, '<!-\u200b-').replace(/-->/g, '-\u200b->');
  }
}

/** The rightmost point at or before `from` that no span crosses (0 if none is left). */
function splitPoint(spans: readonly Span[], from: number): number {
  let cut = from;
  for (let moved = true; moved && cut > 0;) {
    moved = false;
    for (const span of spans) {
      if (span.start < cut && (span.end > cut || (span.reachesPastEnd && span.end === cut))) {
        cut = span.start;
        moved = true;
      }
    }
  }
  return cut;
}

/** The first point at or after `from` that no span crosses. */
function chainEnd(spans: readonly Span[], from: number): number {
  let end = from;
  for (let moved = true; moved;) {
    moved = false;
    for (const span of spans) {
      if (span.start <= end && span.end > end) {
        end = span.end;
        moved = true;
      }
    }
  }
  return end;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
