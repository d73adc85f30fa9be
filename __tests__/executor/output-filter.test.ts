import {
  createOutputFilter,
  MAX_SEQUENCE,
  REDACTION_MARGIN,
  REDACTION_WINDOW,
} from '../../src/executor/output-filter.ts';

// Deterministic "random" text, so a failure names the same input every time.
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  const from = (alphabet: string) => (length: number) =>
    Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
  return {
    next,
    alnum: from('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'),
    upper: from('ABCDEFGHJKLMNPQRSTUVWXYZ234567'),
    digits: from('0123456789'),
  };
}
const random = generator(7);

interface Token {
  kind: string;
  /** As the host prints it. */
  text: string;
  /** What must not survive (for `keep` patterns, the value after the kept prefix). */
  secret: string;
  /** `text` as it should come out. */
  redacted: string;
  known?: string[];
}

function token(kind: string, text: string, secret = text, known?: string[]): Token {
  const keepsPrefix = secret !== text && kind !== 'Slack webhook';
  const redacted = keepsPrefix ? text.replace(secret, '***') : text.replace(text, `***${kind} redacted***`);
  return { kind, text, secret, redacted, known };
}

const aws = random.alnum(40);
const bearer = random.alnum(32);
const dbPassword = random.alnum(16);
const assigned = random.alnum(20);
const json = random.alnum(20);
const hook = `T${random.upper(8)}/B${random.upper(8)}/${random.alnum(24)}`;
const known = `${random.alnum(12)}-${random.alnum(12)}`;
const TOKENS: Token[] = [
  token('GitHub token', `ghp_${random.alnum(36)}`),
  token('GitHub token', `github_pat_${random.alnum(82)}`),
  token('Slack token', `xoxb-${random.digits(12)}-${random.alnum(24)}`),
  token('Google API key', `AIza${random.alnum(35)}`),
  token('Stripe key', `sk_live_${random.alnum(24)}`),
  token('AWS access key', `AKIA${random.upper(16)}`),
  token('AWS secret key', `aws_secret_access_key = ${aws}`, aws),
  token('OpenAI key', `sk-proj-${random.alnum(40)}`),
  token('JWT', `eyJ${random.alnum(20)}.eyJ${random.alnum(30)}.${random.alnum(43)}`),
  token('bearer token', `Authorization: Bearer ${bearer}`, bearer),
  token('password in URL', `postgresql://app:${dbPassword}@db:5432/kb`, dbPassword),
  token('credential assignment', `DB_PASSWORD=${assigned}`, assigned),
  token('JSON credential', `{"password": "${json}"}`, json),
  token('Slack webhook', `https://hooks.slack.com/services/${hook}`, hook),
  token('known secret', `value ${known} here`, known, [known]),
];
const ALL_KNOWN = TOKENS.flatMap((entry) => entry.known ?? []);

/** Runs the filter over `input` cut into pieces of `size` bytes (or at the given offsets). */
function filter(
  input: string | Buffer,
  cuts: number | number[] = Infinity,
  known: readonly string[] = ALL_KNOWN,
) {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const offsets =
    typeof cuts === 'number'
      ? Array.from({ length: Math.ceil(bytes.length / Math.min(cuts, bytes.length || 1)) }, (_, i) =>
          Math.min(i * Math.min(cuts, bytes.length || 1), bytes.length),
        ).slice(1)
      : cuts;
  const outputFilter = createOutputFilter(known);
  let text = '';
  let from = 0;
  for (const to of [...offsets, bytes.length]) {
    text += outputFilter.push(bytes.subarray(from, to));
    from = to;
  }
  text += outputFilter.end();
  return { text, counts: outputFilter.redactions() };
}

/** Every 8-character piece of `secret` that is found in `text`: a leak of part of it. */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i += 1) {
    const piece = secret.slice(i, i + 8);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
}

function expectNoSecret(text: string, tokens: readonly Token[] = TOKENS): void {
  for (const { secret } of tokens) expect(leaks(text, secret)).toEqual([]);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const CHUNK_SIZES = [1, 2, 3, 7, 64, 4096];

const SEQUENCES: [string, string, string][] = [
  ['SGR colour, as grep --color prints it', '\x1b[01;31m\x1b[K', '\x1b[m\x1b[K'],
  ['OSC window title ended by BEL', '\x1b]0;deploy@kb-vm: ~\x07', '\x1b]2;done\x07'],
  ['OSC 8 hyperlink ended by ESC \\', '\x1b]8;;https://example.com/\x1b\\', '\x1b]8;;\x1b\\'],
  ['8-bit C1 CSI', '\u009b1;33m', '\u009b0m'],
  ['C1 OSC ended by C1 ST', '\u009d0;title\u009c', '\u009d2;x\u009c'],
  ['DCS', '\x1bP1$r0m\x1b\\', '\x1bPq#0;2;0;0;0\x1b\\'],
  ['charset selection (nF)', '\x1b(B', '\x1b)0'],
  ['cursor and erase', '\x1b[2K\x1b[1G\x1b[?25l', '\x1b[?25h\x1b7\x1b8'],
  ['NUL and BEL', '\x00\x07', '\x00'],
  ['zero-width and bidi controls', '\u200b\u202e', '\u2066\ufeff'],
];

describe('escape sequences and control characters cannot hide a secret', () => {
  describe.each(SEQUENCES)('%s', (_, open, close) => {
    test.each(TOKENS.map((entry) => [entry.kind, entry] as const))('around a %s', (_kind, entry) => {
      const plain = filter(`before ${entry.text} after\n`);
      const wrapped = filter(`before ${open}${entry.text}${close} after\n`);
      expect(wrapped.text).toBe(plain.text);
      expect(wrapped.text).toContain('before ');
      expect(wrapped.text).toContain(' after\n');
      expect(wrapped.text).not.toMatch(CONTROL);
      expectNoSecret(wrapped.text, [entry]);
      expect(wrapped.counts[entry.kind]).toBeGreaterThan(0);
    });

    test('at every position inside every kind of token', () => {
      for (const entry of TOKENS) {
        const plain = filter(`before ${entry.text} after\n`).text;
        for (let at = 0; at <= entry.text.length; at += 1) {
          const text = filter(`before ${entry.text.slice(0, at)}${open}${entry.text.slice(at)} after\n`).text;
          if (text !== plain) throw new Error(`${entry.kind}, escape at ${at}: ${JSON.stringify(text)}`);
        }
      }
    });
  });

  test('the visible text of coloured output survives, the codes do not', () => {
    expect(filter('\x1b[1;32mOK\x1b[0m  \x1b[33mwarn\x1b[0m\tdone\n').text).toBe('OK  warn\tdone\n');
  });

  test('an ESC before something no sequence starts with goes alone', () => {
    expect(filter('a\x1b\x1b[31mb\x1b\u00e9c').text).toBe('abéc');
  });

  test('a malformed CSI ends where it breaks and the rest is text', () => {
    expect(filter('ab\x1b[12\ncd').text).toBe('ab\ncd');
  });

  test('an unterminated sequence longer than the carry loses only its introducer', () => {
    const title = 'title '.repeat(60);
    const input = `\x1b]0;${title}${TOKENS[0]?.text} after\n`;
    expect(title.length).toBeGreaterThan(MAX_SEQUENCE);
    const one = filter(input);
    expect(one.text).toBe(`0;${title}***GitHub token redacted*** after\n`);
    for (const size of CHUNK_SIZES) expect(filter(input, size).text).toBe(one.text);
  });

  test('an unterminated sequence at the end of the output is dropped whole', () => {
    const input = `ls\n\x1b]0;${TOKENS[0]?.text}`;
    for (const size of [Infinity, ...CHUNK_SIZES]) expect(filter(input, size).text).toBe('ls\n');
  });

  test('random bytes come out without a control character, however they are chunked', () => {
    const bytes = Buffer.from(Array.from({ length: 100_000 }, () => random.next() & 0xff));
    const one = filter(bytes, Infinity, []).text;
    expect(one).not.toMatch(CONTROL);
    for (const size of CHUNK_SIZES) expect(filter(bytes, size, []).text).toBe(one);
  });

  test('NUL bytes go, and cannot split a token into harmless pieces', () => {
    const github = TOKENS[0]?.text ?? '';
    const input = `a\x00b\x00\x00 ${github.slice(0, 2)}\x00${github.slice(2, 10)}\x00${github.slice(10)} end`;
    const { text } = filter(input);
    expect(text).toBe('ab ***GitHub token redacted*** end');
  });

  test('joiners, separators, fillers and tag characters go too: none of them can split a token unseen', () => {
    const github = TOKENS[0]?.text ?? '';
    for (const glue of ['\u200c', '\u200d', '\u2028', '\u2029', '\u3164', '\u034f', '\ufe0f', '\u{e0041}']) {
      const { text } = filter(`x ${github.slice(0, 6)}${glue}${github.slice(6)} end\n`);
      expect(text).toBe('x ***GitHub token redacted*** end\n');
    }
    // Emoji built with a joiner lose the joiner, not their parts.
    expect(filter('👩\u200d💻 ok\n').text).toBe('👩💻 ok\n');
  });
});

describe('carriage returns', () => {
  test('a progress bar becomes one line per state; CRLF is one line end', () => {
    expect(filter('Downloading  10%\rDownloading  55%\rDownloading 100%\r\nok\r\n\r\r\ndone').text).toBe(
      'Downloading  10%\nDownloading  55%\nDownloading 100%\nok\n\ndone',
    );
  });

  test('a token overprinted by \\r is still redacted', () => {
    const input = `cloning with ${TOKENS[0]?.text}\rcloned                                            \n`;
    const { text } = filter(input);
    expect(text).toBe(
      'cloning with ***GitHub token redacted***\ncloned                                            \n',
    );
  });

  test('a lone \\r at the end of the output is a line end', () => {
    expect(filter('50%\r').text).toBe('50%\n');
  });
});

describe('HTML comment markers', () => {
  test('are defused so output can never look like a hidden marker', () => {
    const input = '<!-- incident-board v1 -->\nx<!---->y\n';
    const one = filter(input).text;
    expect(one).toBe('<!-\u200b- incident-board v1 -\u200b->\nx<!-\u200b--\u200b->y\n');
    for (let at = 0; at <= input.length; at += 1) expect(filter(input, [at]).text).toBe(one);
  });

  test('a known secret that contains a marker is still found', () => {
    const secret = 'abc-->defgh';
    expect(filter(`x ${secret} y`, Infinity, [secret]).text).toBe('x *** y');
  });
});

/** Everything at once: what a hostile host might print. */
const CORPUS = [
  'deploy@kb-vm:~$ ./status.sh\r\n',
  ...TOKENS.map((entry, i) => {
    const [, open, close] = SEQUENCES[i % SEQUENCES.length] ?? ['', '', ''];
    return `${i}: ${open}${entry.text}${close} ✓ naïve 😀 €\n`;
  }),
  'progress 1%\rprogress 50%\rprogress 100%\r\n',
  '<!-- not a marker -->\n',
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n',
  'AAAAMwAAAAtzc2gtZWQyNTUxOQAAACBmX3Rlc3Qta2V5LWJvZHktbGluZQ==\n',
  '-----END OPENSSH PRIVATE KEY-----\n',
  `tail \x1b[1m${TOKENS[1]?.text}\x1b[0m\n`,
  `no newline at the end ${TOKENS[2]?.text}`,
].join('');
const KEY_LINES = [
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB',
  'AAAAMwAAAAtzc2gtZWQyNTUxOQAAACBmX3Rlc3Qta2V5LWJvZHktbGluZQ==',
];

describe('chunking never changes the result', () => {
  const one = filter(CORPUS);

  test('the one-chunk result carries no secret and keeps the visible text', () => {
    expectNoSecret(one.text);
    for (const line of KEY_LINES) expect(one.text).not.toContain(line.slice(0, 16));
    expect(one.text).not.toMatch(CONTROL);
    expect(one.text).not.toMatch(/<!--|-->/);
    expect(one.text).toContain('deploy@kb-vm:~$ ./status.sh\n');
    expect(one.text).toContain('✓ naïve 😀 €\n');
    expect(one.text).toContain('***private key redacted***\n');
    expect(one.text).toContain('progress 1%\nprogress 50%\nprogress 100%\n');
    expect(one.text.endsWith('no newline at the end ***Slack token redacted***')).toBe(true);
  });

  test.each(CHUNK_SIZES)('in chunks of %i bytes', (size) => {
    expect(filter(CORPUS, size)).toEqual(one);
  });

  test('cut in two at every byte offset', () => {
    const bytes = Buffer.from(CORPUS);
    for (let at = 0; at <= bytes.length; at += 1) {
      const { text } = filter(bytes, [at]);
      if (text !== one.text) throw new Error(`cut at ${at}: ${JSON.stringify(text)}`);
    }
  });

  test('cut in three around every token', () => {
    for (const entry of TOKENS) {
      const input = `before ${entry.text} after`;
      const bytes = Buffer.from(input);
      const expected = filter(bytes).text;
      const start = 'before '.length;
      for (let a = start - 1; a <= start + entry.text.length + 1; a += 1) {
        for (let b = a; b <= start + entry.text.length + 1; b += 3) {
          const { text } = filter(bytes, [a, b]);
          if (text !== expected)
            throw new Error(`${entry.kind}, cuts at ${a} and ${b}: ${JSON.stringify(text)}`);
        }
      }
      expectNoSecret(expected, [entry]);
    }
  });

  test('multi-byte characters split across chunks come out whole', () => {
    const input = 'é€😀𝄞ü'.repeat(50) + '\n';
    const bytes = Buffer.from(input);
    for (let at = 0; at <= 20; at += 1) expect(filter(bytes, [at, at + 1, at + 5]).text).toBe(input);
    for (const size of CHUNK_SIZES) expect(filter(bytes, size).text).toBe(input);
  });
});

describe('known secrets', () => {
  test('are found across every chunk boundary', () => {
    const secret = 'S3cr3t-Value-42';
    const input = `before ${secret} after`;
    for (let a = 0; a <= input.length; a += 1) {
      for (let b = a; b <= input.length; b += 4) {
        expect(filter(input, [a, b], [secret]).text).toBe('before *** after');
      }
    }
  });

  test('are matched literally, whatever characters they hold', () => {
    const secret = 'p@ss.w*rd+(1)$';
    expect(filter(`pw ${secret} pw`, 3, [secret]).text).toBe('pw *** pw');
  });

  test('are matched line by line; lines shorter than 6 characters are ignored', () => {
    const secret = 'first-line-of-it\nabc\n  second-line-of-it  ';
    const input = 'second-line-of-it then first-line-of-it then abc\n';
    expect(filter(input, 5, [secret]).text).toBe('*** then *** then abc\n');
  });
});

describe('PEM private keys', () => {
  const key = [
    '-----BEGIN RSA PRIVATE KEY-----',
    'MIIEowIBAAKCAQEAt3kX1xQ2b9wYvQ0sZ3pQkq8aRk9v8m1rQ5yqJm3bW4xYc2Lq',
    'Y2hhbmdlLW1lLXRoaXMtaXMtYS10ZXN0LWtleS1ib2R5LWxpbmUtdHdvLWhlcmU=',
    '-----END RSA PRIVATE KEY-----',
  ];
  const body = key.slice(1, -1);

  test('arriving as BEGIN, body and END in separate chunks, is redacted whole', () => {
    const pieces = ['key:\n', `${key[0]}\n`, `${key[1]}\n`, `${key[2]}\n`, `${key[3]}\n`, 'done\n'];
    const input = pieces.join('');
    const offsets = pieces.map((_, i) => Buffer.byteLength(pieces.slice(0, i + 1).join(''))).slice(0, -1);
    const { text, counts } = filter(input, offsets);
    expect(text).toBe('key:\n***private key redacted***\ndone\n');
    expect(counts['private key']).toBe(1);
    for (let at = 0; at <= input.length; at += 1) expect(filter(input, [at]).text).toBe(text);
  });

  test('with no END, nothing after BEGIN is released, and it is said once', () => {
    const input = `cat id_rsa\n${key.slice(0, 3).join('\n')}\nmore output\n`;
    for (const size of [Infinity, ...CHUNK_SIZES]) {
      const { text } = filter(input, size);
      expect(text).toBe('cat id_rsa\n***private key redacted***');
    }
  });

  test('coloured armour lines are still armour', () => {
    const input = `\x1b[33m${key[0]}\x1b[0m\n${body.join('\n')}\n\x1b[33m${key[3]}\x1b[0m\nafter\n`;
    expect(filter(input, 7).text).toBe('***private key redacted***\nafter\n');
  });

  test('BEGIN and END on one line, and two keys with text between', () => {
    const input = `A ${key.join(' ')} B\nC\n${key.join('\n')}\nD`;
    expect(filter(input, 3).text).toBe('A ***private key redacted*** B\nC\n***private key redacted***\nD');
  });

  test('the end of a key whose BEGIN line the output never had (tail id_rsa)', () => {
    const input = `${body.join('\n')}\n${key[3]}\nafter\n`;
    for (const size of [Infinity, ...CHUNK_SIZES]) {
      expect(filter(input, size).text).toBe('***private key redacted***\nafter\n');
    }
  });

  test('lines that only look like a key body are released unchanged', () => {
    const input = 'd41d8cd98f00b204e9800998ecf8427e\nAAAAAAAAAAAAAAAAAAAA\nok\n';
    expect(filter(input, 2).text).toBe(input);
  });

  test('a key inside a line longer than the window is still found', () => {
    const input = `${'x'.repeat(REDACTION_WINDOW + 100)} ${key.join(' ')} tail\n`;
    expect(filter(input, 4096).text).toBe(
      `${'x'.repeat(REDACTION_WINDOW + 100)} ***private key redacted*** tail\n`,
    );
  });
});

describe('lines longer than the redaction window', () => {
  const placeholderOf = (entry: Token) => entry.redacted;
  const plainTokens = TOKENS;

  test('a 10 MB line with tokens sprinkled through it', () => {
    const parts: string[] = [];
    const expected: string[] = [];
    let length = 0;
    for (let i = 0; length < 10 * 1024 * 1024; i += 1) {
      const filler = 'x'.repeat(500 + (random.next() % 20_000));
      const entry = plainTokens[i % plainTokens.length] as Token;
      parts.push(`${filler} ${entry.text} `);
      expected.push(`${filler} ${placeholderOf(entry)} `);
      length += filler.length + entry.text.length + 2;
    }
    const input = parts.join('');
    const one = filter(input);
    expect(one.text).toBe(expected.join(''));
    expect(filter(input, 65_536).text).toBe(one.text);
    expect(Object.values(one.counts).reduce((a, b) => a + b, 0)).toBe(parts.length);
  });

  test.each(plainTokens.map((entry) => [entry.kind, entry] as const))(
    'a %s across the window split, at every offset',
    (_kind, entry) => {
      const firstSplit = REDACTION_WINDOW - REDACTION_MARGIN;
      for (let at = firstSplit - entry.text.length - 2; at <= firstSplit + 1; at += 1) {
        const filler = 'x'.repeat(at - 1);
        const rest = 'y'.repeat(REDACTION_WINDOW * 2);
        const { text } = filter(`${filler} ${entry.text} ${rest}`, 8192);
        if (text !== `${filler} ${placeholderOf(entry)} ${rest}`) {
          throw new Error(
            `${entry.kind} starting at ${at}: ${JSON.stringify(text.slice(at - 20, at + 100))}`,
          );
        }
      }
    },
  );

  test('a token against the end of a full window', () => {
    const entry = TOKENS[0] as Token;
    for (let at = REDACTION_WINDOW - entry.text.length - 2; at <= REDACTION_WINDOW + 2; at += 1) {
      const input = `${'x'.repeat(at - 1)} ${entry.text} ${'y'.repeat(REDACTION_WINDOW)}`;
      expect(filter(input, 1000).text).toBe(
        `${'x'.repeat(at - 1)} ***GitHub token redacted*** ${'y'.repeat(REDACTION_WINDOW)}`,
      );
    }
  });

  test('a secret longer than the window is redacted whole, and the text after it survives', () => {
    const value = random.alnum(REDACTION_WINDOW * 3);
    const input = `start API_TOKEN=${value} visible tail\n`;
    for (const size of [Infinity, 4096]) {
      const { text } = filter(input, size);
      expect(text.startsWith('start ')).toBe(true);
      expect(text.endsWith(' visible tail\n')).toBe(true);
      expect(text).toContain('redacted***');
      expect(leaks(text, value.slice(REDACTION_WINDOW, REDACTION_WINDOW + 64))).toEqual([]);
      expect(text.length).toBeLessThan(200);
    }
  });

  test('a known secret longer than the margin, anywhere in a long line', () => {
    const secret = random.alnum(REDACTION_MARGIN + 5000);
    for (let at = 1; at < 3 * REDACTION_WINDOW; at += 9973) {
      const input = `${'x'.repeat(at)} ${secret} ${'y'.repeat(2 * REDACTION_WINDOW)}`;
      expect(filter(input, 16_384, [secret]).text).toBe(
        `${'x'.repeat(at)} *** ${'y'.repeat(2 * REDACTION_WINDOW)}`,
      );
    }
  });

  test('a split never falls between the halves of a surrogate pair', () => {
    const lonePair = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (const lead of ['', 'a']) {
      const input = Buffer.from(
        `${lead}${'😀'.repeat(REDACTION_WINDOW)} ${TOKENS[0]?.text} ${'𝄞'.repeat(REDACTION_WINDOW)}`,
      );
      const outputFilter = createOutputFilter([]);
      const pieces: string[] = [];
      for (let at = 0; at < input.length; at += 4099)
        pieces.push(outputFilter.push(input.subarray(at, at + 4099)));
      pieces.push(outputFilter.end());
      for (const piece of pieces) expect(piece).not.toMatch(lonePair);
      expect(pieces.join('')).toBe(
        `${lead}${'😀'.repeat(REDACTION_WINDOW)} ***GitHub token redacted*** ${'𝄞'.repeat(REDACTION_WINDOW)}`,
      );
    }
  });

  test('a marker across the window split is still defused', () => {
    const firstSplit = REDACTION_WINDOW - REDACTION_MARGIN;
    for (let at = firstSplit - 4; at <= firstSplit; at += 1) {
      const { text } = filter(`${'x'.repeat(at)}<!--${'y'.repeat(REDACTION_WINDOW)}`, 4096);
      expect(text).not.toContain('<!--');
    }
  });
});

describe('the filter as an object', () => {
  test('counts what it replaced, by kind', () => {
    const input = `${TOKENS[0]?.text} ${TOKENS[0]?.text} DB_PASSWORD=${assigned}\n${known}\n`;
    expect(filter(input, 5).counts).toEqual({
      'GitHub token': 2,
      'credential assignment': 1,
      'known secret': 1,
    });
  });

  test('end() is final', () => {
    const outputFilter = createOutputFilter([]);
    expect(outputFilter.push(Buffer.from('partial'))).toBe('');
    expect(outputFilter.end()).toBe('partial');
    expect(outputFilter.end()).toBe('');
    expect(() => outputFilter.push(Buffer.from('more'))).toThrow();
  });
});
