/**
 * Keeps the first and last bytes of a stream and counts the rest, so that a command that floods
 * its output cannot exhaust memory while the report still shows how it started and ended.
 */
export class CappedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private totalBytes = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(headLimit: number, tailLimit: number) {
    this.headLimit = headLimit;
    this.tailLimit = tailLimit;
  }

  write(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = rest.subarray(0, this.headLimit - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= this.tailLimit) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }

  /** The captured text; `omittedBytes` counts what fell between head and tail. */
  result(): { text: string; totalBytes: number; omittedBytes: number } {
    const head = Buffer.concat(this.head).toString('utf8');
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailLimit) tail = tail.subarray(tail.length - this.tailLimit);
    const omittedBytes = this.totalBytes - this.headBytes - tail.length;
    const text =
      omittedBytes > 0
        ? `${head}\n… ${omittedBytes} bytes omitted …\n${tail.toString('utf8')}`
        : head + tail.toString('utf8');
    return { text, totalBytes: this.totalBytes, omittedBytes };
  }
}
