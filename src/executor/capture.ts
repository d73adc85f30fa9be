import { PLACEHOLDER } from '../report/redact.ts';
import { createOutputFilter, type OutputFilter } from './output-filter.ts';

export interface CapturedOutput {
  /** Cleaned and redacted; the head and the tail around a line saying how much was left out. */
  text: string;
  /** Raw bytes the host sent. */
  totalBytes: number;
  /** Bytes of cleaned text left out between the head and the tail. */
  omittedBytes: number;
}

/** A placeholder is shorter than this, so this much text around a cut is enough to find one. */
const PLACEHOLDER_REACH = 64;
/** Bytes kept beyond the tail's limit until the end, so the final cut can see a placeholder whole. */
const TAIL_SLACK = 4 * PLACEHOLDER_REACH;

/**
 * Keeps the first and last bytes of a stream and counts the rest, so that a command that floods
 * its output cannot exhaust memory while the report still shows how it started and ended. The
 * bytes go through the output filter first: the cut falls on text that is already clean and
 * redacted, so it can never split a secret away from the prefix that identifies it.
 */
export class CappedOutput {
  private readonly filter: OutputFilter;
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head = '';
  private headBytes = 0;
  private headClosed = false;
  private tail: { text: string; bytes: number }[] = [];
  private tailBytes = 0;
  private cleanBytes = 0;
  private totalBytes = 0;
  private finished: CapturedOutput | undefined;

  /** `knownSecrets` are replaced wherever they appear, as well as anything shaped like a credential. */
  constructor(headLimit: number, tailLimit: number, knownSecrets: readonly string[] = []) {
    this.headLimit = headLimit;
    this.tailLimit = tailLimit;
    this.filter = createOutputFilter(knownSecrets);
  }

  /** Raw bytes from the host. */
  write(chunk: Buffer): void {
    if (this.finished) throw new Error('CappedOutput: write() after result()');
    this.totalBytes += chunk.length;
    this.keep(this.filter.push(chunk));
  }

  /** The captured text; call once the stream has ended (later calls return the same). */
  result(): CapturedOutput {
    if (this.finished) return this.finished;
    this.keep(this.filter.end());
    const joined = this.tail.map((piece) => piece.text).join('');
    const start = this.tailBytes > this.tailLimit ? suffixStart(joined, this.tailLimit) : 0;
    const tail = joined.slice(start);
    const omittedBytes = this.cleanBytes - this.headBytes - Buffer.byteLength(tail);
    const text =
      omittedBytes > 0 ? `${this.head}\n… ${omittedBytes} bytes omitted …\n${tail}` : this.head + tail;
    this.finished = { text, totalBytes: this.totalBytes, omittedBytes };
    return this.finished;
  }

  /** How many values the filter replaced, by kind, for the log. */
  redactions(): Record<string, number> {
    return this.filter.redactions();
  }

  private keep(text: string): void {
    if (text.length === 0) return;
    let bytes = Buffer.byteLength(text);
    this.cleanBytes += bytes;
    let rest = text;
    if (!this.headClosed) {
      if (this.headBytes + bytes <= this.headLimit) {
        this.head += rest;
        this.headBytes += bytes;
        return;
      }
      const end = prefixEnd(rest, this.headLimit - this.headBytes);
      const taken = rest.slice(0, end);
      this.head += taken;
      this.headBytes += Buffer.byteLength(taken);
      this.headClosed = true;
      rest = rest.slice(end);
      bytes = Buffer.byteLength(rest);
    }
    if (rest.length === 0) return;
    if (bytes > this.tailLimit + TAIL_SLACK) {
      // A piece larger than the whole tail: keep its end, with room to find a placeholder at the cut.
      rest = rest.slice(utf8SuffixStart(rest, this.tailLimit + TAIL_SLACK));
      bytes = Buffer.byteLength(rest);
      this.tail = [];
      this.tailBytes = 0;
    }
    this.tail.push({ text: rest, bytes });
    this.tailBytes += bytes;
    while (this.tailBytes - (this.tail[0]?.bytes ?? 0) >= this.tailLimit + TAIL_SLACK) {
      this.tailBytes -= this.tail.shift()?.bytes ?? 0;
    }
  }
}

/** The longest prefix of `text` within `maxBytes` that ends on a character and outside a placeholder. */
function prefixEnd(text: string, maxBytes: number): number {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const pair = isHighSurrogate(text.charCodeAt(end)) && isLowSurrogate(text.charCodeAt(end + 1));
    const size = pair ? 4 : utf8Bytes(text.charCodeAt(end));
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += pair ? 2 : 1;
  }
  const inside = placeholderAround(text, end);
  return inside ? inside.start : end;
}

/** Where the longest suffix of `text` within `maxBytes` starts, on a character and outside a placeholder. */
function suffixStart(text: string, maxBytes: number): number {
  const start = utf8SuffixStart(text, maxBytes);
  const inside = placeholderAround(text, start);
  return inside ? inside.end : start;
}

function utf8SuffixStart(text: string, maxBytes: number): number {
  let bytes = 0;
  let start = text.length;
  while (start > 0) {
    const pair = isLowSurrogate(text.charCodeAt(start - 1)) && isHighSurrogate(text.charCodeAt(start - 2));
    const size = pair ? 4 : utf8Bytes(text.charCodeAt(start - 1));
    if (bytes + size > maxBytes) break;
    bytes += size;
    start -= pair ? 2 : 1;
  }
  return start;
}

/** UTF-8 bytes of one UTF-16 code unit that is not half of a pair (a lone surrogate encodes as U+FFFD). */
function utf8Bytes(code: number): number {
  if (code < 0x80) return 1;
  return code < 0x800 ? 2 : 3;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The placeholder that `index` falls strictly inside, if any. */
function placeholderAround(text: string, index: number): { start: number; end: number } | undefined {
  const from = Math.max(0, index - PLACEHOLDER_REACH);
  const near = text.slice(from, index + PLACEHOLDER_REACH);
  for (const match of near.matchAll(PLACEHOLDER)) {
    const start = from + match.index;
    const end = start + match[0].length;
    if (start < index && index < end) return { start, end };
  }
  return undefined;
}
