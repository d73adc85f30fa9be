// An offline journal replayed into the incident issue: `/journal` comments as the CLI posts them,
// handled by the action in process. Entries reach the timeline once, in their own time order,
// marked offline; a changed journal is refused; the postmortem shows them like any other event.
import { startInProcessWorkspace, FakeHost } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';
import { planLine, planReplay, runSession } from '../../src/cli/core.ts';
import { parseRunbook } from '../../src/config/runbook.ts';
import { nextEntry, toNdjson, type JournalEntry } from '../../src/journal/journal.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

const parsed = parseRunbook(STANDIN_RUNBOOK, 'demo.yml');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const runbook = parsed.runbook;

/** A break-glass session from 03:10, one entry a minute, by dana, while GitHub was down. */
async function offlineJournal(lines = ['/restart', '/logs --lines 5']): Promise<string> {
  const host = new FakeHost();
  let text = '';
  let clock = Date.parse('2026-12-02T03:10:00Z');
  let last: JournalEntry | undefined;
  for (const line of lines) {
    const planned = planLine({
      line,
      runbook,
      runbookSource: 'demo.yml',
      floor: 'write',
      ssh: { host: '127.0.0.1', user: 'deploy', port: 22 },
      defaultTimeoutSeconds: 300,
    });
    if (!planned.ok) throw new Error(planned.message);
    const result = await runSession(
      { planned, login: 'dana', runbookSource: 'demo.yml', last },
      {
        executor: host.createExecutor,
        ask: async () => '',
        append: (ndjson) => (text += ndjson),
        print: () => {},
        now: () => new Date((clock += 60_000)),
      },
    );
    last = result.entries.at(-1);
  }
  return text;
}

let now: number;

beforeEach(async () => {
  now = Date.parse('2026-12-02T03:00:00Z');
  ({ emulator, scenario } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', dana: 'maintain', mallory: 'read' },
    // The incident is declared at 03:00; GitHub comes back at 04:00, when the journal is replayed.
    clock: () => new Date(now),
  }));
  issue = scenario.openIssue('KB agent answers 503');
  await scenario.label(issue, 'incident:p0', 'alice');
  now = Date.parse('2026-12-02T04:00:00Z');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const comments = () =>
  emulator
    .listComments(issue)
    .map((comment) => ({ author: comment.user?.login ?? '', body: comment.body ?? '' }));
const BOT = 'github-actions[bot]';

test('replayed once: every entry on the timeline in order, marked offline; a second replay posts nothing', async () => {
  const journal = await offlineJournal();
  const replay = planReplay(journal, comments(), BOT);
  if (!replay.ok) throw new Error(replay.message);
  expect(replay.comments).toHaveLength(1);
  const { run } = await scenario.comment(issue, 'dana', replay.comments[0] ?? '');
  expect(run.outputs).toMatchObject({ status: 'success', command: 'journal' });
  const reply = scenario.actionComments(issue).at(-1) ?? '';
  expect(reply).toContain(
    '📓 **Offline journal** replayed by @dana: 8 entries on the timeline, marked offline',
  );
  expect(reply).toMatch(/\| 1 \| 2026-12-02 03:11 UTC \| `dana` \| `session on deploy@127\.0\.0\.1/);

  expect(planReplay(journal, comments(), BOT)).toMatchObject({ ok: true, comments: [], alreadyThere: 8 });

  await scenario.comment(issue, 'alice', '/timeline');
  const timeline = scenario.actionComments(issue).at(-1) ?? '';
  const offlineRows = timeline.split('\n').filter((row) => row.includes('Offline (journal)'));
  expect(offlineRows).toHaveLength(8);
  expect(offlineRows[0]).toContain('session on deploy@127.0.0.1');
  expect(offlineRows.at(-1)).toContain('/logs ended success');
  // The offline hour sits between the declaration (03:00) and the replay, in time order.
  const declared = timeline.split('\n').findIndex((row) => row.includes('Declared P0'));
  expect(declared).toBeGreaterThanOrEqual(0);
  expect(timeline.indexOf(offlineRows[0] ?? '')).toBeGreaterThan(timeline.indexOf('Declared P0'));
});

test('the same /journal comment posted twice is recorded once', async () => {
  const replay = planReplay(await offlineJournal(), [], BOT);
  if (!replay.ok) throw new Error(replay.message);
  await scenario.comment(issue, 'dana', replay.comments[0] ?? '');
  const again = await scenario.comment(issue, 'dana', replay.comments[0] ?? '');
  expect(again.run.outputs.status).toBe('refused');
  expect(scenario.actionComments(issue).at(-1)).toContain(
    'all 8 entries of this journal are already on the timeline',
  );
});

test.each([
  ['an exit code changed', (text: string) => text.replace('"exitCode":0', '"exitCode":1')],
  [
    'an entry removed',
    (text: string) =>
      text
        .split('\n')
        .filter((_, index) => index !== 3)
        .join('\n'),
  ],
  [
    'a step renamed',
    (text: string) => text.replace('"step":"Restart application"', '"step":"Nothing happened"'),
  ],
])('a journal with %s is refused and records nothing', async (_, tamper) => {
  const replay = planReplay(await offlineJournal(), [], BOT);
  if (!replay.ok) throw new Error(replay.message);
  const body = (replay.comments[0] ?? '').replace(
    /```ndjson\n([\s\S]*?)\n```/,
    (_m, block: string) => `\`\`\`ndjson\n${tamper(block)}\n\`\`\``,
  );
  const { run } = await scenario.comment(issue, 'dana', body);
  expect(run.outputs.status).toBe('refused');
  expect(scenario.actionComments(issue).at(-1)).toContain(
    'the journal is refused, nothing was recorded: line',
  );
  await scenario.comment(issue, 'alice', '/timeline');
  expect(scenario.actionComments(issue).at(-1)).not.toContain('Offline (journal)');
});

test('someone without write access cannot put entries on the timeline', async () => {
  const replay = planReplay(await offlineJournal(), [], BOT);
  if (!replay.ok) throw new Error(replay.message);
  const { run } = await scenario.comment(issue, 'mallory', replay.comments[0] ?? '');
  expect(run.outputs.status).not.toBe('success');
  await scenario.comment(issue, 'alice', '/timeline');
  expect(scenario.actionComments(issue).at(-1)).not.toContain('Offline (journal)');
  // Nor can their copy make dana's replay leave the entries out.
  expect(planReplay(await offlineJournal(), comments(), BOT)).toMatchObject({ ok: true, alreadyThere: 0 });
});

test('a /journal comment with more entries than one comment may hold is refused whole', async () => {
  const text = await offlineJournal(Array.from({ length: 10 }, () => '/restart'));
  const body = `/journal\n\n\`\`\`ndjson\n${text.trimEnd()}\n\`\`\``;
  const { run } = await scenario.comment(issue, 'dana', body);
  expect(run.outputs.status).toBe('refused');
  expect(scenario.actionComments(issue).at(-1)).toContain(
    'one /journal comment holds at most 20 entries (this one 41)',
  );
  // The client splits the same journal into comments the action takes.
  const replay = planReplay(text, comments(), BOT);
  if (!replay.ok) throw new Error(replay.message);
  expect(replay.comments).toHaveLength(3);
  for (const part of replay.comments) {
    const recorded = await scenario.comment(issue, 'dana', part);
    expect(recorded.run.outputs).toMatchObject({ status: 'success', command: 'journal' });
  }
  await scenario.comment(issue, 'alice', '/timeline');
  const rows = (scenario.actionComments(issue).at(-1) ?? '')
    .split('\n')
    .filter((row) => row.includes('Offline (journal)'));
  expect(rows).toHaveLength(41);
});

describe('a hostile /journal comment, written by someone with write access', () => {
  const chain = (events: Parameters<typeof nextEntry>[1][], after?: JournalEntry) => {
    const entries: JournalEntry[] = [];
    for (const event of events) entries.push(nextEntry(entries.at(-1) ?? after, event));
    return entries;
  };
  const post = (entries: JournalEntry[] | string) =>
    scenario.comment(
      issue,
      'dana',
      `/journal\n\n\`\`\`ndjson\n${typeof entries === 'string' ? entries : toNdjson(entries).trimEnd()}\n\`\`\``,
    );
  const session = (at: string, by = 'dana') =>
    ({ kind: 'session', at, by, host: 'h', user: 'u', runbook: 'r' }) as const;
  const command = (at: string, line: string, by = 'dana') =>
    ({ kind: 'command', at, by, line, command: 'x', target: 't', destructive: false }) as const;
  const reply = () => scenario.actionComments(issue).at(-1) ?? '';

  test('Markdown, HTML, mentions, links and pipes in its text stay text, in the reply and on the timeline', async () => {
    const hostile =
      'x @octocat **bold** <b>html</b> [link](https://evil.example) ![i](https://evil.example/i.png) | y';
    const { run } = await post(
      chain([session('2026-12-02T03:50:00.000Z'), command('2026-12-02T03:51:00.000Z', hostile)]),
    );
    expect(run.outputs.status).toBe('success');
    await scenario.comment(issue, 'alice', '/timeline');
    for (const body of scenario.actionComments(issue).slice(-2)) {
      const row = body.split('\n').find((line) => line.includes('octocat')) ?? '';
      expect(row).toMatch(
        /`[^`]*@octocat \*\*bold\*\* <b>html<\/b> \[link\]\(https:\/\/evil\.example\)[^`]*`/,
      );
      expect(row).not.toMatch(/[^\\]\|\s*y/);
    }
  });

  test('the login an entry names is text, never a mention or a responder; the replayer is credited', async () => {
    await post(
      chain([
        session('2026-12-02T03:50:00.000Z', 'octocat'),
        command('2026-12-02T03:51:00.000Z', '/x', 'github'),
      ]),
    );
    expect(scenario.board(issue)).not.toMatch(/@octocat|@github\b/);
    await scenario.comment(issue, 'alice', '/timeline');
    const rows = reply()
      .split('\n')
      .filter((row) => row.includes('Offline (journal)'));
    expect(rows).toHaveLength(2);
    for (const row of rows)
      expect(row).toMatch(/^\| \S+ \| @dana \| Offline \(journal\): `(octocat|github): /);
  });

  test('an unknown field is refused without repeating it', async () => {
    const [first] = chain([session('2026-12-02T03:50:00.000Z')]);
    const forged = JSON.stringify({ ...first, '@octocat **pwn** [x](https://evil.example)': 1 });
    await post(forged);
    expect(reply()).toContain('line 1: not a journal entry: it has a field a journal entry does not have');
    expect(reply()).not.toContain('octocat');
  });

  test('the longest entries that escape the most still fit: the reply and its record are one comment', async () => {
    const long = '-'.repeat(500);
    const entries = chain([
      session('2026-12-02T03:30:00.000Z'),
      ...Array.from({ length: 19 }, (_, index) => command(`2026-12-02T03:${31 + index}:00.000Z`, long)),
    ]);
    const { run } = await post(entries);
    expect(run.outputs).toMatchObject({ status: 'success', command: 'journal' });
  });

  test('a part that does not go on from the last recorded entry would fork the chain, and is refused', async () => {
    const entries = chain([
      session('2026-12-02T03:30:00.000Z'),
      command('2026-12-02T03:31:00.000Z', '/a'),
      command('2026-12-02T03:32:00.000Z', '/b'),
    ]);
    await post(entries);
    const fork = chain([command('2026-12-02T03:33:00.000Z', '/forked')], { ...entries[0]!, seq: 6 });
    await post(fork);
    expect(reply()).toContain("this journal's last entry on the issue is entry 3: its chain would fork");
    const next = chain([command('2026-12-02T03:34:00.000Z', '/c')], entries[2]);
    const { run } = await post(next);
    expect(run.outputs.status).toBe('success');
  });

  test('entries dated in the future, or more than a week back, are refused', async () => {
    await post(chain([session('2999-01-01T00:00:00.000Z')]));
    expect(reply()).toContain(
      'entry 1 is dated 2999-01-01T00:00:00.000Z, more than a week before now or in the future',
    );
    await post(chain([session('1970-01-01T00:00:00.000Z')]));
    expect(reply()).toContain('entry 1 is dated 1970-01-01T00:00:00.000Z');
  });
});
