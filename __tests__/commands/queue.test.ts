import {
  claimStateOf,
  commandComments,
  commandWindow,
  nextStep,
  wasEdited,
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
