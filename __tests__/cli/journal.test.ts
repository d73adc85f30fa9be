// The break-glass journal's chain, attacked the ways a journal file can be changed afterwards.
import {
  checkJournal,
  entryHash,
  nextEntry,
  toNdjson,
  type JournalEntry,
} from '../../src/journal/journal.ts';

function sampleJournal(): JournalEntry[] {
  const at = (minute: number) => `2026-12-02T03:${String(minute).padStart(2, '0')}:00.000Z`;
  const entries: JournalEntry[] = [];
  const add = (event: Parameters<typeof nextEntry>[1]) => entries.push(nextEntry(entries.at(-1), event));
  add({ kind: 'session', at: at(1), by: 'alice', host: '127.0.0.1', user: 'deploy', runbook: 'runbook.yml' });
  add({
    kind: 'command',
    at: at(2),
    by: 'alice',
    line: '/restart',
    command: 'restart',
    target: 'deploy@127.0.0.1:22',
    destructive: false,
  });
  add({
    kind: 'step',
    at: at(3),
    by: 'alice',
    command: 'restart',
    step: 'Restart',
    outcome: 'ok',
    exitCode: 0,
    durationMs: 812,
    output: 'pid 42\n',
  });
  add({ kind: 'result', at: at(4), by: 'alice', command: 'restart', status: 'success', exitCode: 0 });
  return entries;
}

const lines = (entries: JournalEntry[]) => toNdjson(entries).trimEnd().split('\n');

describe('the journal chain', () => {
  test('a journal as written reads back whole', () => {
    const entries = sampleJournal();
    const checked = checkJournal(toNdjson(entries));
    expect(checked).toEqual({ ok: true, entries });
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(entries[1]?.prev).toBe(entries[0]?.hash);
  });

  test.each([
    [
      'an exit code edited',
      (l: string[]) => [l[0], l[1], l[2]?.replace('"exitCode":0', '"exitCode":1'), l[3]],
      3,
      'does not match its hash',
    ],
    [
      'output edited',
      (l: string[]) => [l[0], l[1], l[2]?.replace('pid 42', 'pid 43'), l[3]],
      3,
      'does not match its hash',
    ],
    ['an entry removed', (l: string[]) => [l[0], l[1], l[3]], 3, 'entry 4 follows entry 2'],
    ['two entries swapped', (l: string[]) => [l[0], l[2], l[1], l[3]], 2, 'entry 3 follows entry 1'],
    ['the first entry removed', (l: string[]) => [l[1], l[2], l[3]], 1, 'entry 2 follows entry 0'],
    ['a line that is not JSON', (l: string[]) => [l[0], '{"seq":', l[1]], 2, 'not a JSON object'],
    [
      'an unknown field added',
      (l: string[]) => [l[0], l[1]?.replace('{', '{"extra":1,')],
      2,
      'not a journal entry',
    ],
  ])('%s is refused at its line', (_, tamper, line, message) => {
    const checked = checkJournal(tamper(lines(sampleJournal())).join('\n'));
    expect(checked).toMatchObject({ ok: false, line });
    if (!checked.ok) expect(checked.message).toContain(message);
  });

  test('an entry edited with its own hash recomputed still breaks the link of the next one', () => {
    const entries = sampleJournal();
    const edited = { ...entries[2], exitCode: 1 } as JournalEntry;
    const resealed = {
      ...edited,
      hash: entryHash({ ...edited, hash: undefined } as unknown as Omit<JournalEntry, 'hash'>),
    };
    const checked = checkJournal(toNdjson([entries[0]!, entries[1]!, resealed, entries[3]!]));
    expect(checked).toMatchObject({ ok: false, line: 4 });
    if (!checked.ok) expect(checked.message).toContain('does not link to the entry before it');
  });

  test('an empty journal is refused', () => {
    expect(checkJournal('\n')).toMatchObject({ ok: false, message: 'the journal has no entries' });
  });

  test('a part of a journal checks against the entry before it', () => {
    const entries = sampleJournal();
    const rest = toNdjson(entries.slice(2));
    expect(checkJournal(rest, { seq: 2, hash: entries[1]!.hash })).toMatchObject({ ok: true });
    expect(checkJournal(rest, { seq: 2, hash: entries[0]!.hash })).toMatchObject({ ok: false, line: 1 });
  });
});
