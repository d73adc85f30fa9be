import {
  claimStateOf,
  commandLinesOf,
  commandComments,
  commandWindow,
  FIRST_LOOK,
  MAX_PAUSE_MS,
  nextStep,
  queueStep,
  wasEdited,
  type QueueMemory,
  type QueueObservation,
  type QueuedComment,
} from '../../src/commands/queue.ts';
import type { IssueComment } from '../../src/github/port.ts';

const BOT = 'github-actions[bot]';
const T0 = '2026-11-26T03:00:00Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function comment(id: number, body: string, extra: Partial<IssueComment> = {}): IssueComment {
  return {
    id,
    body,
    author: 'alice',
    authorType: 'User',
    authorAssociation: 'COLLABORATOR',
    createdAt: at(id),
    updatedAt: at(id),
    htmlUrl: `https://github.com/acme/kb/issues/1#issuecomment-${id}`,
    reactions: {},
    ...extra,
  };
}

describe('the window of commands an incident owns', () => {
  test('starts when the incident label is added', () => {
    const window = commandWindow(
      [
        { event: 'labeled', actor: 'alice', createdAt: at(0), label: 'bug' },
        { event: 'labeled', actor: 'alice', createdAt: at(5), label: 'incident:p1' },
      ],
      'incident:',
    );
    expect(window).toEqual({ start: new Date(at(5)), active: true });
  });

  test('a severity relabel keeps the window; a reopen starts a new one', () => {
    const events = [
      { event: 'labeled', actor: 'alice', createdAt: at(1), label: 'incident:p2' },
      { event: 'labeled', actor: BOT, createdAt: at(2), label: 'incident:p0' },
      { event: 'unlabeled', actor: BOT, createdAt: at(2), label: 'incident:p2' },
    ];
    expect(commandWindow(events, 'incident:')).toEqual({ start: new Date(at(1)), active: true });
    const closed = [...events, { event: 'closed', actor: 'bob', createdAt: at(9) }];
    expect(commandWindow(closed, 'incident:')).toEqual({ start: new Date(at(1)), active: false });
    const reopened = [...closed, { event: 'reopened', actor: 'bob', createdAt: at(20) }];
    expect(commandWindow(reopened, 'incident:')).toEqual({ start: new Date(at(20)), active: true });
  });

  test('a relabel that takes the old label off first keeps the window, whoever does it', () => {
    // The action's /severity (or another workflow's token): a relabel never ends the window.
    const bySeverity = [
      { event: 'labeled', actor: 'alice', createdAt: at(1), label: 'incident:p2' },
      { event: 'unlabeled', actor: BOT, createdAt: at(6), label: 'incident:p2' },
      { event: 'labeled', actor: BOT, createdAt: at(6), label: 'incident:p0' },
    ];
    expect(commandWindow(bySeverity, 'incident:')).toEqual({ start: new Date(at(1)), active: true });
    // By hand, within a minute.
    const byHand = [
      { event: 'labeled', actor: 'alice', createdAt: at(1), label: 'incident:p2' },
      { event: 'unlabeled', actor: 'bob', createdAt: at(6), label: 'incident:p2' },
      { event: 'labeled', actor: 'bob', createdAt: at(6.5), label: 'incident:p0' },
    ];
    expect(commandWindow(byHand, 'incident:')).toEqual({ start: new Date(at(1)), active: true });
    // Declared again after a real gap: a new window.
    const redeclared = [...byHand.slice(0, 2), { ...byHand[2]!, createdAt: at(30) }];
    expect(commandWindow(redeclared, 'incident:')).toEqual({ start: new Date(at(30)), active: true });
  });

  test('removing the last incident label ends it; an issue never labelled has none', () => {
    const events = [
      { event: 'labeled', actor: 'alice', createdAt: at(1), label: 'Incident:P1' },
      { event: 'unlabeled', actor: 'alice', createdAt: at(3), label: 'incident:p1' },
    ];
    expect(commandWindow(events, 'incident:').active).toBe(false);
    expect(commandWindow([], 'incident:')).toEqual({ start: undefined, active: false });
  });
});

describe('which comments are queued', () => {
  test('people’s comments with a command, since the window opened, in comment order', () => {
    const queue = commandComments(
      [
        comment(9, '/restart app'),
        comment(1, '/status', { createdAt: at(-30) }),
        comment(3, 'the app is down again'),
        comment(4, '/help', { author: BOT, authorType: 'Bot' }),
        comment(5, '/help', { author: 'dependabot[bot]', authorType: 'Bot' }),
        comment(7, '```\n/restart app\n```'),
        comment(8, '/status\n/health'),
      ],
      { selfLogin: BOT, since: new Date(at(0)) },
    );
    expect(queue.map((entry) => [entry.id, entry.lines.map((line) => line.text)])).toEqual([
      [8, ['/status', '/health']],
      [9, ['/restart app']],
    ]);
  });

  test('an edit after posting is seen; a reaction is not an edit', () => {
    expect(wasEdited({ createdAt: at(1), updatedAt: at(1) })).toBe(false);
    expect(wasEdited({ createdAt: at(1), updatedAt: at(2) })).toBe(true);
  });
});

describe('claims read back from reactions', () => {
  const reaction = (content: string, user: string, minute = 0) => ({
    id: minute,
    content,
    user,
    createdAt: at(minute),
  });

  test('only the action’s own reactions count', () => {
    expect(claimStateOf([reaction('eyes', 'mallory'), reaction('+1', 'mallory')], BOT)).toEqual({
      state: 'unclaimed',
    });
    expect(claimStateOf([reaction('eyes', BOT, 4)], BOT)).toEqual({
      state: 'claimed',
      claimedAt: new Date(at(4)),
    });
    for (const closing of ['+1', '-1', 'confused']) {
      expect(claimStateOf([reaction('eyes', BOT), reaction(closing, BOT)], BOT)).toEqual({
        state: 'finished',
        outcome: closing,
      });
    }
    expect(claimStateOf([reaction('eyes', BOT), reaction('rocket', BOT)], BOT).state).toBe('claimed');
  });
});

describe('the next step', () => {
  const queued = (id: number): QueuedComment => ({
    id,
    author: 'alice',
    body: '/status',
    htmlUrl: '',
    createdAt: at(id),
    updatedAt: at(id),
    lines: [{ name: 'status', rest: '', line: 1, text: '/status' }],
    reactions: {},
  });
  const queue = [queued(1), queued(2), queued(3)];
  const options = { now: new Date(at(40)), claimTimeoutMs: 30 * 60_000 };

  test('with nothing claimed, the oldest command; after a finished one, the one after it', () => {
    expect(nextStep(queue, undefined, options)).toEqual({ kind: 'claim', comment: queue[0] });
    const head = { comment: queue[1]!, claim: { state: 'finished' as const, outcome: '+1' } };
    expect(nextStep(queue, head, options)).toEqual({ kind: 'claim', comment: queue[2] });
    const last = { comment: queue[2]!, claim: { state: 'finished' as const, outcome: '-1' } };
    expect(nextStep(queue, last, options)).toEqual({ kind: 'empty' });
  });

  test('a claim younger than the timeout is busy, an older one interrupted, and nothing after either runs', () => {
    const busy = { comment: queue[0]!, claim: { state: 'claimed' as const, claimedAt: new Date(at(15)) } };
    expect(nextStep(queue, busy, options)).toEqual({
      kind: 'busy',
      comment: queue[0],
      claimedAt: new Date(at(15)),
    });
    const lost = { comment: queue[0]!, claim: { state: 'claimed' as const, claimedAt: new Date(at(9)) } };
    expect(nextStep(queue, lost, options)).toEqual({
      kind: 'interrupted',
      comment: queue[0],
      claimedAt: new Date(at(9)),
    });
  });
});

describe('the queue loop, one step at a time', () => {
  const queued = (id: number, reactions: Record<string, number> = {}): QueuedComment => ({
    id,
    author: 'alice',
    body: '/restart',
    htmlUrl: '',
    createdAt: at(id),
    updatedAt: at(id),
    lines: [{ name: 'restart', rest: '', line: 1, text: '/restart' }],
    reactions,
  });
  const [c1, c2, c3] = [queued(1, { eyes: 1, '+1': 1 }), queued(2, { eyes: 1 }), queued(3)];
  const finished = (comment: QueuedComment) => ({
    comment,
    claim: { state: 'finished' as const, outcome: '+1' },
  });
  const claimed = (comment: QueuedComment, minute: number) => ({
    comment,
    claim: { state: 'claimed' as const, claimedAt: new Date(at(minute)) },
  });
  const base: QueueObservation = {
    stopping: false,
    ordered: [c1!, c2!, c3!],
    head: undefined,
    answered: new Set(),
    runAttempt: 1,
    now: new Date(at(20)),
    claimTimeoutMs: 15 * 60_000,
  };
  const mine = (id: number, extra: { listed?: boolean; known?: boolean } = {}) => ({
    trigger: { id, listed: true, known: false, ...extra },
  });

  const table: Array<[string, QueueMemory, Partial<QueueObservation>, object, QueueMemory?]> = [
    [
      'asked to stop: takes nothing more, whatever waits',
      FIRST_LOOK,
      { stopping: true, ...mine(3) },
      { kind: 'stop' },
    ],
    [
      'nothing claimed yet: the oldest command',
      FIRST_LOOK,
      {},
      { kind: 'claim', comment: c1, outOfOrder: false },
    ],
    [
      'after a finished head: the next command',
      FIRST_LOOK,
      { head: finished(c2!) },
      { kind: 'claim', comment: c3, outOfOrder: false },
    ],
    ['the last command finished: done', FIRST_LOOK, { head: finished(c3!) }, { kind: 'done' }],
    ['an empty queue: done', FIRST_LOOK, { ordered: [] }, { kind: 'done' }],
    [
      'its own comment not listed yet: look again, a second longer each time',
      { lagLooks: 2, pauses: 0 },
      mine(4, { listed: false }),
      { kind: 'look-again', sleepMs: 3000 },
      { lagLooks: 3, pauses: 0 },
    ],
    [
      'still not listed after five looks: go on with what is listed',
      { lagLooks: 5, pauses: 0 },
      mine(4, { listed: false }),
      { kind: 'claim', comment: c1, outOfOrder: false },
    ],
    [
      'not listed but already handled by this run: no looking again',
      FIRST_LOOK,
      mine(4, { listed: false, known: true }),
      { kind: 'claim', comment: c1, outOfOrder: false },
    ],
    [
      'another run holds an earlier command and its own comes later: wait, doubling the pause',
      { lagLooks: 0, pauses: 2 },
      { head: claimed(c2!, 18), ...mine(3) },
      { kind: 'wait', comment: c2, sleepMs: 4000 },
      { lagLooks: 0, pauses: 3 },
    ],
    [
      'the pause never passes its ceiling',
      { lagLooks: 0, pauses: 9 },
      { head: claimed(c2!, 18), ...mine(3) },
      { kind: 'wait', comment: c2, sleepMs: MAX_PAUSE_MS },
      { lagLooks: 0, pauses: 10 },
    ],
    [
      'another run holds the head and no comment of this run waits: leave it to that run',
      FIRST_LOOK,
      { head: claimed(c2!, 18) },
      { kind: 'leave', comment: c2 },
    ],
    [
      'another run holds the run’s own comment: leave it',
      FIRST_LOOK,
      { head: claimed(c2!, 18), ...mine(2) },
      { kind: 'leave', comment: c2 },
    ],
    [
      'a claim older than the claim timeout: report it lost, and the pauses start again',
      { lagLooks: 0, pauses: 3 },
      { head: claimed(c2!, 2), ...mine(3) },
      { kind: 'report', comment: c2, cause: 'lost', claimedAt: new Date(at(2)) },
      { lagLooks: 0, pauses: 0 },
    ],
    [
      'on record as answered but without the action’s reactions: report it, never run it again',
      FIRST_LOOK,
      { head: finished(c1!), answered: new Set([2]) },
      { kind: 'report', comment: c2, cause: 'unmarked' },
    ],
    [
      'its own comment left behind by a lagging run: handled out of order',
      FIRST_LOOK,
      { ordered: [queued(1), c2!, c3!], head: finished(c3!), ...mine(1) },
      { kind: 'claim', comment: queued(1), outOfOrder: true },
    ],
    [
      'left behind, but on a re-run of the job: never out of order',
      FIRST_LOOK,
      { ordered: [queued(1), c2!, c3!], head: finished(c3!), runAttempt: 2, ...mine(1) },
      { kind: 'done' },
    ],
    [
      'left behind, but on record as answered: never again',
      FIRST_LOOK,
      { ordered: [queued(1), c2!, c3!], head: finished(c3!), answered: new Set([1]), ...mine(1) },
      { kind: 'done' },
    ],
    [
      'left behind, but it has a 👀 of some run: never out of order',
      FIRST_LOOK,
      { ordered: [queued(1, { eyes: 1 }), c2!, c3!], head: finished(c3!), ...mine(1) },
      { kind: 'done' },
    ],
    [
      'left behind, but this run already handled it: never again',
      FIRST_LOOK,
      { ordered: [queued(1), c2!, c3!], head: finished(c3!), ...mine(1, { known: true }) },
      { kind: 'done' },
    ],
  ];

  // Rows without a memory after the step keep the memory they start with.
  test.each(table)('%s', (...[, memory, seen, action, after]) => {
    const step = queueStep(memory, { ...base, ...seen });
    expect(step.action).toEqual(action);
    expect(step.memory).toEqual(after ?? memory);
  });
});

test('a comment’s lines are never another text’s: same id, same time, same length, other text', () => {
  const first = { id: 7, updatedAt: T0, body: '/confirm bb81ce9e' };
  const second = { id: 7, updatedAt: T0, body: '/confirm 0badc0de' };
  expect(commandLinesOf(first).map((line) => line.text)).toEqual(['/confirm bb81ce9e']);
  expect(commandLinesOf(second).map((line) => line.text)).toEqual(['/confirm 0badc0de']);
});
