import { CappedOutput } from '../../src/executor/capture.ts';
import { createOutputFilter } from '../../src/executor/output-filter.ts';

const HEAD = 48 * 1024;
const TAIL = 16 * 1024;
const GITHUB = `ghp_${'Zq8rT4vW2x'.repeat(3)}k7Lm3n`;
const KNOWN = 'Kn0wn-S3cret-Value-77';
const URL_PASSWORD = 'Pg5ecr3tPassw0rd';

function capture(
  input: string | Buffer,
  size = Infinity,
  head = HEAD,
  tail = TAIL,
  known: string[] = [KNOWN],
) {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const capped = new CappedOutput(head, tail, known);
  const step = Math.min(size, bytes.length || 1);
  for (let at = 0; at < bytes.length; at += step) capped.write(bytes.subarray(at, at + step));
  return { ...capped.result(), redactions: capped.redactions() };
}

/** Every 8-character piece of `secret` found in `text`. */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i += 1)
    if (text.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

/** A `*` outside a whole placeholder means a cut split one. */
function brokenPlaceholders(text: string): string[] {
  return text.replace(/\*\*\*[A-Za-z ]+ redacted\*\*\*|\*\*\*/g, '').match(/\*+/g) ?? [];
}

function split(text: string): { head: string; tail: string } {
  const [head = '', tail = ''] = text.split(/\n… \d+ bytes omitted …\n/);
  return { head, tail };
}

const SECRETS = [
  { kind: 'GitHub token', printed: GITHUB, secret: GITHUB },
  { kind: 'known secret', printed: KNOWN, secret: KNOWN },
  { kind: 'password in URL', printed: `postgres://app:${URL_PASSWORD}@db/kb`, secret: URL_PASSWORD },
];

describe('the head/tail cut falls on redacted text', () => {
  test.each(SECRETS.map((entry) => [entry.kind, entry] as const))(
    'a %s straddling the head cut, at every offset',
    (_kind, { printed, secret }) => {
      for (let into = -2; into <= printed.length + 2; into += 1) {
        const filler = 'a'.repeat(HEAD - into - 1);
        const input = `${filler} ${printed} ${'b'.repeat(100_000)}\n`;
        const result = capture(input, 4096);
        const { head } = split(result.text);
        expect(leaks(result.text, secret)).toEqual([]);
        expect(brokenPlaceholders(result.text)).toEqual([]);
        expect(Buffer.byteLength(head)).toBeLessThanOrEqual(HEAD);
        expect(head.startsWith(filler.slice(0, HEAD))).toBe(true);
        expect(result.omittedBytes).toBeGreaterThan(0);
        expect(result.totalBytes).toBe(Buffer.byteLength(input));
      }
    },
  );

  test.each(SECRETS.map((entry) => [entry.kind, entry] as const))(
    'a %s straddling the tail cut, at every offset',
    (_kind, { printed, secret }) => {
      for (let into = -2; into <= printed.length + 2; into += 1) {
        const after = 'c'.repeat(TAIL - into - 1);
        const input = `${'b'.repeat(100_000)}\n${printed} ${after}`;
        const result = capture(input, 4096);
        const { tail } = split(result.text);
        expect(leaks(result.text, secret)).toEqual([]);
        expect(brokenPlaceholders(result.text)).toEqual([]);
        expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(TAIL);
        expect(tail.endsWith(after.slice(-TAIL))).toBe(true);
      }
    },
  );

  test('a flood of coloured lines: 48 KiB of filler, then a token where the cut falls', () => {
    const line = `\x1b[01;31m\x1b[K${GITHUB}\x1b[m\x1b[K\n`;
    for (let shift = 0; shift < 60; shift += 1) {
      const input = `${'f'.repeat(HEAD - shift)}\n${line.repeat(3000)}`;
      const result = capture(input, 65_536);
      expect(leaks(result.text, GITHUB)).toEqual([]);
      expect(brokenPlaceholders(result.text)).toEqual([]);
      expect(result.text).not.toContain('\x1b');
      expect(result.redactions).toEqual({ 'GitHub token': 3000 });
    }
  });
});

describe('CappedOutput', () => {
  test('keeps the head and the tail of a flood and counts what it dropped', () => {
    const capped = new CappedOutput(10, 10);
    for (let i = 0; i < 1000; i += 1) capped.write(Buffer.from(`${String(i).padStart(4, '0')}\n`));
    expect(capped.result()).toEqual({
      text: '0000\n0001\n\n… 4980 bytes omitted …\n0998\n0999\n',
      totalBytes: 5000,
      omittedBytes: 4980,
    });
  });

  test('short output is kept whole', () => {
    expect(capture('hello')).toMatchObject({ text: 'hello', totalBytes: 5, omittedBytes: 0 });
  });

  test('totalBytes counts the raw bytes; omittedBytes counts cleaned text', () => {
    const input = `${'\x1b[1;32mok\x1b[0m \x00'.repeat(20_000)}\n`;
    const result = capture(input, 7, 1000, 1000);
    const cleaned = Buffer.byteLength('ok '.repeat(20_000) + '\n');
    const { head, tail } = split(result.text);
    expect(result.totalBytes).toBe(Buffer.byteLength(input));
    expect(result.omittedBytes).toBe(cleaned - Buffer.byteLength(head) - Buffer.byteLength(tail));
    expect(result.text).not.toMatch(/[\x00\x1b]/); // eslint-disable-line no-control-regex
  });

  test('the cut never splits a UTF-8 character', () => {
    for (const char of ['é', '€', '😀']) {
      for (const limit of [997, 998, 999, 1000]) {
        const input = char.repeat(5000);
        const result = capture(input, 333, limit, limit);
        const { head, tail } = split(result.text);
        expect(result.text).not.toContain('\ufffd');
        expect(head).toBe(char.repeat(head.length / char.length));
        expect(tail).toBe(char.repeat(tail.length / char.length));
        expect(Buffer.byteLength(head)).toBeLessThanOrEqual(limit);
        expect(Buffer.byteLength(head)).toBeGreaterThan(limit - 4);
        expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(limit);
        expect(result.omittedBytes).toBe(
          Buffer.byteLength(input) - Buffer.byteLength(head) - Buffer.byteLength(tail),
        );
      }
    }
  });

  test('chunking never changes what is captured', () => {
    const input = Array.from(
      { length: 4000 },
      (_, i) => `${i} \x1b[33m${i % 7 === 0 ? GITHUB : 'line'}\x1b[0m é€😀 ${i % 11 === 0 ? KNOWN : ''}\r\n`,
    ).join('');
    const one = capture(input);
    expect(leaks(one.text, GITHUB)).toEqual([]);
    expect(leaks(one.text, KNOWN)).toEqual([]);
    for (const size of [1, 3, 64, 4096]) expect(capture(input, size)).toEqual(one);
  });

  test('agrees with the filter on its own when nothing is cut', () => {
    const input = `a ${GITHUB} b\n${KNOWN}\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBx\n`;
    const outputFilter = createOutputFilter([KNOWN]);
    const filtered = outputFilter.push(Buffer.from(input)) + outputFilter.end();
    expect(capture(input, 5).text).toBe(filtered);
    expect(filtered).toBe('a ***GitHub token redacted*** b\n***\n***private key redacted***');
  });

  test('result() is final and can be asked again', () => {
    const capped = new CappedOutput(10, 10);
    capped.write(Buffer.from('partial line'));
    const first = capped.result();
    expect(capped.result()).toBe(first);
    expect(() => capped.write(Buffer.from('late'))).toThrow();
  });
});
