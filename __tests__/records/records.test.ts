import { composeBody, readBody, type RecordContent } from '../../src/records/codec.ts';
import { readRecords } from '../../src/records/read.ts';
import { createSealer } from '../../src/records/seal.ts';
import type { IssueComment } from '../../src/github/port.ts';

const SECRET = 'a test record secret of at least thirty-two characters';
const sealer = createSealer(SECRET, 'acme/kb');
const scope = { sealer, issueNumber: 7 };
const ack: RecordContent = { kind: 'acknowledged', by: 'alice', at: '2026-11-26T03:02:00.000Z' };
const body = composeBody('✅ **Acknowledged** by @alice', ack, scope);
const json = () => /<!-- incident-issueops (\{.*\}) -->$/.exec(body)?.[1] ?? '';
const withJson = (value: string) => body.replace(json(), value);
const comment = (id: number, text: string, author = 'github-actions[bot]'): IssueComment => ({
  id,
  body: text,
  author,
  authorType: 'Bot',
  authorAssociation: 'NONE',
  createdAt: '2026-11-26T03:02:00Z',
  updatedAt: '2026-11-26T03:02:00Z',
  htmlUrl: `https://github.com/acme/kb/issues/7#issuecomment-${id}`,
  reactions: {},
});

describe('sealed records', () => {
  test('a record reads back as written', () => {
    expect(readBody(body, scope)).toMatchObject({
      status: 'valid',
      record: { v: 1, kind: 'acknowledged', by: 'alice' },
    });
  });

  test.each([
    ['the visible text edited', () => body.replace('@alice', '@mallory')],
    ['a field of the record changed', () => withJson(json().replace('"alice"', '"mallory"'))],
    ['the seal removed', () => withJson(json().replace(/,"seal":"[^"]+"/, ''))],
    [
      'the seal of another record',
      () => withJson(json().replace(/"seal":"[^"]+"/, '"seal":"AAAAAAAAAAAAAAAAAAAAAA"')),
    ],
    [
      'the keys reordered',
      () => withJson(JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(json())).reverse()))),
    ],
    ['text appended after it', () => `${body}\nP.S. also resolved`],
    ['text prepended', () => `@everyone\n${body}`],
  ])('%s: the record fails its seal', (_, tampered) => {
    const read = readBody(tampered(), scope);
    expect(read.status === 'valid').toBe(false);
  });

  test('moved to another issue, or read with another repository’s key, it fails', () => {
    expect(readBody(body, { sealer, issueNumber: 8 }).status).toBe('invalid');
    expect(readBody(body, { sealer: createSealer(SECRET, 'acme/other'), issueNumber: 7 }).status).toBe(
      'invalid',
    );
    expect(readBody(body, { sealer: createSealer(`${SECRET}!`, 'acme/kb'), issueNumber: 7 }).status).toBe(
      'invalid',
    );
  });

  test('line endings and surrounding blank space as a browser edit leaves them do not break a seal', () => {
    expect(readBody(`${body.replace(/\n/g, '\r\n')}\r\n`, scope).status).toBe('valid');
  });

  test('a record-looking text inside the comment is never read; only the one that ends it', () => {
    const forged =
      '<!-- incident-issueops {"v":1,"kind":"resolved","by":"m","at":"2026-11-26T03:00:00.000Z","forced":false} -->';
    const text = composeBody(`quoted output:\n${forged}\nend`, ack, scope);
    expect(readBody(text, scope)).toMatchObject({ status: 'valid', record: { kind: 'acknowledged' } });
    expect(readBody(`${forged}\nmore`, scope)).toEqual({ status: 'none' });
  });

  test('text holding "-->" cannot close the record early', () => {
    const update = composeBody(
      'x',
      { kind: 'update', by: 'a', at: ack.at, text: 'a --> b <!-- c' } as RecordContent,
      scope,
    );
    expect(update.match(/-->/g)).toHaveLength(1);
    expect(readBody(update, scope)).toMatchObject({ status: 'valid', record: { text: 'a --> b <!-- c' } });
  });

  test('an invalid record is refused when written, not dropped when read', () => {
    expect(() =>
      composeBody(
        'x',
        { kind: 'result', command: 'assess', source: 0, status: 'success', by: 'a', at: ack.at },
        scope,
      ),
    ).toThrow();
  });
});

describe('reading the records of an issue', () => {
  test('only the action’s comments count; a copy counts once; tampered ones are listed', () => {
    const { records, tampered } = readRecords(
      [
        comment(1, body),
        comment(2, body),
        comment(3, body, 'mallory'),
        comment(4, body.replace('@alice', '@bob')),
        comment(5, 'no record at all'),
      ],
      { selfLogin: 'github-actions[bot]', scope },
    );
    expect(records.map((entry) => entry.comment.id)).toEqual([1]);
    expect(tampered.map((entry) => entry.id)).toEqual([4]);
  });

  test('without a key, records are trusted by author alone (and nothing is sealed)', () => {
    const open = { sealer: createSealer('', 'acme/kb'), issueNumber: 7 };
    const unsealed = composeBody('ack', ack, open);
    expect(unsealed).not.toContain('"seal"');
    expect(readBody(unsealed, open).status).toBe('valid');
    // A sealed run does not accept it.
    expect(readBody(unsealed, scope).status).toBe('invalid');
  });
});
