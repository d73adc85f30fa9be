// The lifecycle commands' facts on the status board, in process. The board is the one comment
// several runs write (the issue's runs, the sweep, an alert's run) and GitHub has no conditional
// write for comments, so these are the cases that would lose a responder's /ack: a sweep whose
// board write lands late, a run killed while it held the board, a board someone tampered with, a
// board with no room left.
import { createGitHubAdapter } from '../../src/github/octokit-adapter.ts';
import { createBoardLock } from '../../src/flows/board-lock.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';

const T0 = new Date('2026-11-26T03:00:00Z');
let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
const at = (minutes: number) => (clock = new Date(T0.getTime() + minutes * 60_000));
const BOT = 'github-actions[bot]';

async function start(options: { realSleep?: boolean } = {}) {
  ({ emulator, scenario } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', dana: 'write' },
    clock: () => clock,
    ...options,
  }));
}

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

async function declared(): Promise<{ issue: number; boardId: number }> {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  const board = emulator.listComments(issue).find((comment) => comment.body?.includes('"kind":"board"'));
  if (!board) throw new Error('no board');
  return { issue, boardId: board.id };
}

const botReactions = (commentId: number) =>
  emulator
    .reactionsFor(commentId)
    .filter((reaction) => reaction.user?.login === BOT)
    .map((reaction) => reaction.content);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('an /ack while the sweep is writing the board: the acknowledgement stays on the board', async () => {
  clock = T0;
  await start({ realSleep: true });
  const { issue, boardId } = await declared();
  at(6);
  // The sweep's write of the board (it now shows the missed acknowledgement) lands 1.5 s late, as a
  // slow answer from GitHub would; the /ack comes in meanwhile.
  emulator.inject({ operationId: 'issues/update-comment', kind: 'delay', ms: 1500 });
  const sweep = scenario.sweep();
  await until(
    () =>
      emulator.requests.some(
        (request) => request.operationId === 'issues/update-comment' && request.fault === 'delay',
      ),
    "the sweep's board write",
  );
  const before = scenario.actionComments(issue).length;
  const [swept, acked] = await Promise.all([sweep, scenario.comment(issue, 'alice', '/ack')]);
  expect(swept.outputs).toMatchObject({ status: 'success', reason: 'swept' });
  expect(acked.run.outputs).toMatchObject({ status: 'success' });

  const board = scenario.board(issue);
  expect(board).toContain('| Acknowledged | 03:06 UTC by @alice, after 6 min ⚠️ (target 03:05 UTC missed) |');
  expect(board).toContain('"kind":"acknowledged"');
  // The /ack has no comment of its own.
  expect(
    scenario
      .actionComments(issue)
      .slice(before)
      .filter((body) => body.includes('Acknowledged')),
  ).toEqual([]);
  expect(botReactions(acked.commentId)).toEqual(['eyes', '+1']);
  // Nobody holds the board any more.
  expect(botReactions(boardId)).toEqual([]);
  // The /ack run waited for the board rather than writing over the sweep.
  const holds = emulator.requests.filter(
    (request) =>
      request.operationId === 'reactions/create-for-issue-comment' && request.path.includes(`/${boardId}/`),
  );
  expect(holds.some((request) => request.status === 200)).toBe(true);
});

test('a run killed while it held the board: the /ack is recorded in a reply, and the board is taken over after 4 min', async () => {
  clock = T0;
  await start();
  const { issue, boardId } = await declared();
  // What a killed run leaves: the action's 👀 on the board.
  emulator.repo().react(boardId, BOT, 'eyes');
  at(2);
  const acked = await scenario.comment(issue, 'alice', '/ack');
  expect(acked.run.outputs).toMatchObject({ status: 'success' });
  // The fact did not wait for the board: it is in a reply of its own.
  expect(scenario.actionComments(issue).at(-1)).toContain('**Acknowledged** by @alice');
  // The board update waited past the hold's 4 minutes, took the board over and shows the ack.
  expect(acked.run.stdout).toMatch(/held for 24\d s by a run that did not let go: taking it over/);
  expect(scenario.board(issue)).toContain('| Acknowledged | 03:02 UTC by @alice, after 2 min ✅ |');
  expect(botReactions(boardId)).toEqual([]);
  expect(botReactions(acked.commentId)).toEqual(['eyes', '+1']);
});

test('a board someone edited (a ticked checkbox) loses no fact: the next board carries them, forged ones stay out', async () => {
  clock = T0;
  await start();
  const { issue, boardId } = await declared();
  at(2);
  await scenario.comment(issue, 'alice', '/ack');
  await scenario.comment(issue, 'alice', '/commander @dana');
  const edited = (emulator.repo().getComment(boardId)?.body ?? '').replace('- [ ] ', '- [x] ');
  expect(edited).not.toBe(emulator.repo().getComment(boardId)?.body);
  // And someone slips a fact of their own into the record while at it.
  const forged = edited.replace(
    '"facts":[',
    '"facts":[{"v":1,"by":"mallory","at":"2026-11-26T03:01:00.000Z","kind":"commander","commander":"mallory"},',
  );
  emulator.repo().editComment(boardId, forged);
  at(10);
  await scenario.sweep();
  const boards = emulator.listComments(issue).filter((comment) => comment.body?.includes('"kind":"board"'));
  expect(boards).toHaveLength(2);
  // The new board (the edited one stays as it is, never trusted again).
  const board = boards[1]?.body ?? '';
  expect(board).toContain('| Acknowledged | 03:02 UTC by @alice, after 2 min ✅ |');
  expect(board).toContain('| Commander | @dana |');
  expect(board).not.toContain('mallory');
  // No escalation: the sweep knew of the acknowledgement.
  expect(scenario.actionComments(issue).some((body) => body.includes('Escalation'))).toBe(false);
  // The facts are now on the new board's record, sealed again.
  expect(board).toContain('"kind":"acknowledged"');
  expect(board).toContain('"seals":[');
  at(12);
  await scenario.comment(issue, 'dana', '/timeline');
  const timeline = scenario.actionComments(issue).at(-1) ?? '';
  expect(timeline).toContain('| 03:02 | @alice | Acknowledged |');
  expect(timeline).toContain('| 03:02 | @alice | Incident commander: @dana |');
});

test('GitHub failing to read the board back: the fact goes into a reply, and nothing is written blind', async () => {
  clock = T0;
  await start();
  const { issue, boardId } = await declared();
  emulator.inject({
    method: 'GET',
    path: new RegExp(`/issues/comments/${boardId}$`),
    kind: 'status',
    status: 502,
    times: 50,
  });
  at(2);
  const acked = await scenario.comment(issue, 'alice', '/ack');
  expect(acked.run.outputs).toMatchObject({ status: 'success' });
  expect(scenario.actionComments(issue).at(-1)).toContain('**Acknowledged** by @alice');
  emulator.clearFaults();
  at(3);
  await scenario.sweep();
  expect(scenario.board(issue)).toContain('| Acknowledged | 03:02 UTC by @alice, after 2 min ✅ |');
  expect(botReactions(boardId)).toEqual([]);
});

test('a board that fails its seal: the /ack is answered with a reply that carries the fact', async () => {
  clock = T0;
  await start();
  const { issue, boardId } = await declared();
  const board = emulator.listComments(issue).find((comment) => comment.id === boardId);
  emulator.repo().editComment(boardId, (board?.body ?? '').replace('"kind":"board"', '"kind":"board","x":1'));
  at(2);
  const acked = await scenario.comment(issue, 'alice', '/ack');
  expect(acked.run.outputs).toMatchObject({ status: 'success' });
  const reply = scenario.actionComments(issue).at(-1) ?? '';
  expect(reply).toContain('**Acknowledged** by @alice');
  expect(reply).toContain('"kind":"acknowledged"');
});

test('a board with no room left for facts: the next note is a reply, and every note reaches the timeline', async () => {
  clock = T0;
  await start();
  const { issue } = await declared();
  const text = (n: number) =>
    `finding ${n}: ${'the migration log says column documents.embedding is missing; '.repeat(30)}`.slice(
      0,
      2000,
    );
  const where: string[] = [];
  for (let n = 1; n <= 9; n += 1) {
    at(n);
    const before = scenario.actionComments(issue).length;
    const noted = await scenario.comment(issue, 'dana', `/note ${text(n)}`);
    expect(noted.run.outputs).toMatchObject({ status: 'success', reason: 'note' });
    where.push(scenario.actionComments(issue).length > before ? 'reply' : 'board');
  }
  // The board takes notes while its record has room (16,000 characters of facts), then replies do.
  const onBoard = where.indexOf('reply');
  expect(onBoard).toBeGreaterThan(5);
  expect(where).toEqual([
    ...Array<string>(onBoard).fill('board'),
    ...Array<string>(9 - onBoard).fill('reply'),
  ]);
  expect(scenario.board(issue).match(/"kind":"note"/g)).toHaveLength(onBoard);
  at(10);
  await scenario.comment(issue, 'alice', '/timeline');
  const timeline = scenario.actionComments(issue).at(-1) ?? '';
  for (let n = 1; n <= 9; n += 1) expect(timeline).toContain(`finding ${n}:`);
});

test('two runs writing the board at once take turns, and each lets go, even when its write fails', async () => {
  clock = T0;
  await start();
  const { boardId } = await declared();
  const github = createGitHubAdapter({
    token: 'ghs_emulatorInstallationToken000000000000',
    owner: emulator.repo().fullName.split('/')[0] ?? '',
    repo: emulator.repo().fullName.split('/')[1] ?? '',
    baseUrl: emulator.url,
    log: () => {},
    pacing: 'none',
  });
  const started = performance.now();
  const lock = createBoardLock(
    {
      github,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      elapsedMs: () => performance.now() - started,
      stopRequested: () => false,
      log: () => {},
    },
    { waitMs: 5000, staleMs: 4000, pollMs: [5] },
  );
  const inside: string[] = [];
  let holding = 0;
  let overlapped = false;
  const writer = (name: string, fail: boolean) =>
    lock.hold(boardId, async () => {
      holding += 1;
      overlapped ||= holding > 1;
      inside.push(name);
      await new Promise((resolve) => setTimeout(resolve, 50));
      holding -= 1;
      if (fail) throw new Error(`${name} failed`);
      return name;
    });
  const results = await Promise.allSettled([writer('a', true), writer('b', false), writer('c', false)]);
  expect(overlapped).toBe(false);
  expect(inside.sort()).toEqual(['a', 'b', 'c']);
  expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  expect(botReactions(boardId)).toEqual([]);
});
