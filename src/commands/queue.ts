import { atLeast } from '../authz/permission.ts';
import type { Permission } from '../config/runbook.schema.ts';
import { severityFromLabel } from '../events/route.ts';
import type { CommentReaction, IssueComment, IssueEventRecord, RepositoryRole } from '../github/port.ts';
import { extractCommandLines, type CommandLine } from './extract.ts';

/**
 * The issue is the queue. Every command comment is handled once, in comment order, by whichever
 * run claims it first. The claim is the action's 👀 on the comment: GitHub keeps one reaction per
 * user and kind, so of two runs adding it, exactly one is told it created it. The outcome is the
 * action's closing reaction (👍, 👎 or 😕). Because claims are taken in order, every comment
 * before the last claimed one is finished; only that one can still be in progress.
 */

/** The reaction that claims a command comment. */
export const CLAIM = 'eyes' as const;
/** The reactions that close one: the comment is finished, whatever its outcome. */
export const CLOSING = ['+1', '-1', 'confused'] as const;

/** When the issue most recently became an open incident, and whether it still is one. */
export interface CommandWindow {
  /** Commands posted before this are not the incident's: they are never run. */
  start: Date | undefined;
  /** false when the issue is closed or carries no incident label any more. */
  active: boolean;
}

/**
 * A relabel (the old severity label off, the new one on) leaves the issue without an incident label
 * for a moment; a gap this short does not end the window.
 */
const RELABEL_GAP_MS = 60_000;

/**
 * Reads the window from the issue's label, close and reopen events, oldest first. A relabel (one
 * severity label off, another on, as `/severity` does) never ends it; whoever made the change, a
 * label added by another workflow's token counts like anyone's.
 */
export function commandWindow(events: IssueEventRecord[], labelPrefix: string): CommandWindow {
  const labels = new Set<string>();
  let open = true;
  let start: Date | undefined;
  let active = false;
  let endedByLabel: Date | undefined;
  for (const event of events) {
    const at = new Date(event.createdAt);
    if ((event.event === 'labeled' || event.event === 'unlabeled') && event.label) {
      if (!severityFromLabel(event.label, labelPrefix)) continue;
      if (event.event === 'labeled') labels.add(event.label.toLowerCase());
      else labels.delete(event.label.toLowerCase());
    } else if (event.event === 'closed') open = false;
    else if (event.event === 'reopened') open = true;
    else continue;
    const now = open && labels.size > 0;
    if (now && !active) {
      const relabel = endedByLabel && at.getTime() - endedByLabel.getTime() <= RELABEL_GAP_MS;
      if (!relabel || !start) start = at;
    }
    endedByLabel = active && !now && open ? at : undefined;
    active = now;
  }
  return { start, active };
}

/** A comment that asks for at least one command. */
export interface QueuedComment {
  id: number;
  author: string;
  body: string;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
  lines: CommandLine[];
  /** Reactions of each kind from anyone (GitHub's roll-up): 0 👀 means nobody claimed it. */
  reactions: IssueComment['reactions'];
  /** Not parsed: too long for an author below the permission floor (see commandComments). */
  unread?: true;
  /** Its text changed since it was posted, as seen when its turn came. */
  edited?: true;
}

/**
 * Whether a comment may hold a command at all: some line starts (after blanks) with a slash, an
 * escaped slash or a slash entity. Comments without one are never parsed.
 */
export function mayHoldCommand(body: string): boolean {
  return /(?:^|\n)[ \t]*(?:\/|\\\/|&(?:#0*47|#x0*2f|sol);)/i.test(body);
}

/** Longest comment parsed for someone below the permission floor; theirs are read-only commands. */
export const NON_RESPONDER_PARSE_LIMIT = 4_000;

/**
 * The command comments of the window, in comment order (GitHub's ids grow with time). The action's
 * own comments and other bots' are never commands. `parseFor` says whether a comment's author may
 * have it parsed: parsing is the costly part, and a long comment from someone below the permission
 * floor is refused without it (`unread`).
 */
export function commandComments(
  comments: IssueComment[],
  options: { selfLogin: string; since: Date; parseFor?: (comment: IssueComment) => boolean },
): QueuedComment[] {
  const queued: QueuedComment[] = [];
  for (const comment of comments) {
    if (comment.author === options.selfLogin || comment.authorType === 'Bot') continue;
    if (new Date(comment.createdAt).getTime() < options.since.getTime() || !mayHoldCommand(comment.body))
      continue;
    const parse = options.parseFor?.(comment) ?? true;
    const lines = parse ? commandLinesOf(comment) : [];
    if (parse && lines.length === 0) continue;
    queued.push({
      id: comment.id,
      author: comment.author,
      body: comment.body,
      htmlUrl: comment.htmlUrl,
      createdAt: comment.createdAt,
      updatedAt: comment.updatedAt,
      lines,
      reactions: comment.reactions,
      ...(parse ? {} : { unread: true as const }),
    });
  }
  return queued.sort((a, b) => a.id - b.id);
}

/**
 * Each comment is parsed once per run, however many times the queue is looked at: a comment that
 * is costly to parse (deep nesting, thousands of brackets) costs that once. Keyed by the comment
 * and checked against its whole text, so that no other text ever gets its lines.
 */
const parsed = new Map<number, { body: string; lines: CommandLine[] }>();

export function commandLinesOf(comment: Pick<IssueComment, 'id' | 'updatedAt' | 'body'>): CommandLine[] {
  const known = parsed.get(comment.id);
  if (known && known.body === comment.body) return known.lines;
  const lines = extractCommandLines(comment.body);
  parsed.set(comment.id, { body: comment.body, lines });
  return lines;
}

/** A comment was edited when its text changed after it was posted: such text is never run. */
export function wasEdited(comment: Pick<QueuedComment, 'createdAt' | 'updatedAt' | 'edited'>): boolean {
  return (
    comment.edited === true || new Date(comment.updatedAt).getTime() > new Date(comment.createdAt).getTime()
  );
}

/** What the action's own reactions on one comment say about it. */
export type ClaimState =
  { state: 'unclaimed' } | { state: 'claimed'; claimedAt: Date } | { state: 'finished'; outcome: string };

export function claimStateOf(reactions: CommentReaction[], selfLogin: string): ClaimState {
  const own = reactions.filter((reaction) => reaction.user === selfLogin);
  const closing = own.find((reaction) => (CLOSING as readonly string[]).includes(reaction.content));
  if (closing) return { state: 'finished', outcome: closing.content };
  const claim = own.find((reaction) => reaction.content === CLAIM);
  return claim ? { state: 'claimed', claimedAt: new Date(claim.createdAt) } : { state: 'unclaimed' };
}

/** Nobody claimed a comment whose roll-up shows no 👀 at all; with some, the reactions tell. */
export function surelyUnclaimed(comment: QueuedComment): boolean {
  return (comment.reactions[CLAIM] ?? 0) === 0;
}

/** The last claimed comment of the queue, as far as the reactions read so far tell. */
export interface Head {
  comment: QueuedComment;
  claim: Exclude<ClaimState, { state: 'unclaimed' }>;
}

export type QueueStep =
  /** Claim this comment and handle it. */
  | { kind: 'claim'; comment: QueuedComment }
  /** Its claim is older than any run may live: report it interrupted, never run it again. */
  | { kind: 'interrupted'; comment: QueuedComment; claimedAt: Date }
  /** Another run is handling it now; commands after it wait their turn. */
  | { kind: 'busy'; comment: QueuedComment; claimedAt: Date }
  /** Nothing is left to do. */
  | { kind: 'empty' };

/**
 * The next thing to do with the queue. `head` is the last claimed comment (undefined when none is);
 * everything after it is unclaimed.
 */
export function nextStep(
  queue: QueuedComment[],
  head: Head | undefined,
  options: { now: Date; claimTimeoutMs: number },
): QueueStep {
  if (head && head.claim.state === 'claimed') {
    const age = options.now.getTime() - head.claim.claimedAt.getTime();
    return age > options.claimTimeoutMs
      ? { kind: 'interrupted', comment: head.comment, claimedAt: head.claim.claimedAt }
      : { kind: 'busy', comment: head.comment, claimedAt: head.claim.claimedAt };
  }
  const next = queue.find((comment) => !head || comment.id > head.comment.id);
  return next ? { kind: 'claim', comment: next } : { kind: 'empty' };
}

/** Longest pause between two looks at a comment another run is handling. */
export const MAX_PAUSE_MS = 10_000;
/** How many times a run looks again for its own comment when GitHub does not list it yet. */
export const MAX_LAG_LOOKS = 5;

/** What the queue loop remembers from one step to the next. */
export interface QueueMemory {
  /** Looks so far for the run's own comment, not listed yet. */
  lagLooks: number;
  /** Pauses in a row behind another run's claim (the pause doubles each time). */
  pauses: number;
}

export const FIRST_LOOK: QueueMemory = { lagLooks: 0, pauses: 0 };

/** What one look at the issue showed. */
export interface QueueObservation {
  /** The runner asked the run to stop (cancelled, or terminating). */
  stopping: boolean;
  /** The comment whose event started the run, if any. */
  trigger?: {
    id: number;
    /** GitHub's comment list shows it. */
    listed: boolean;
    /** This run already claimed or finished it. */
    known: boolean;
  };
  /** Responders' comments, in comment order. */
  ordered: QueuedComment[];
  head: Head | undefined;
  /** Comments a record of the action answers. */
  answered: ReadonlySet<number>;
  /** 1 on a first run; more on a re-run of the job. */
  runAttempt: number;
  now: Date;
  claimTimeoutMs: number;
}

/** What the queue loop does next. */
export type QueueAction =
  /** The runner asked the run to stop: take no further command. */
  | { kind: 'stop' }
  /** GitHub's list lags behind the event: sleep, read the issue again, look again. */
  | { kind: 'look-again'; sleepMs: number }
  /** Claim this comment and handle it (`outOfOrder`: the run's own, left behind by a lagging run). */
  | { kind: 'claim'; comment: QueuedComment; outOfOrder: boolean }
  /** Report a claimed comment that will never finish; never run it. */
  | { kind: 'report'; comment: QueuedComment; cause: 'lost'; claimedAt: Date }
  /** Handled (on record) but stripped of the action's reactions: report it, never run it again. */
  | { kind: 'report'; comment: QueuedComment; cause: 'unmarked' }
  /** Another run holds the head and goes on with the rest of the queue: this run is done. */
  | { kind: 'leave'; comment: QueuedComment }
  /** Another run holds the head and the run's own comment comes later: sleep, read again. */
  | { kind: 'wait'; comment: QueuedComment; sleepMs: number }
  /** Nothing is left in the ordered queue. */
  | { kind: 'done' };

/**
 * Whether the run looks again for its own comment before deciding anything (the rest of the
 * observation is not needed then).
 */
export function waitsForList(memory: QueueMemory, trigger: QueueObservation['trigger']): boolean {
  return trigger !== undefined && !trigger.known && !trigger.listed && memory.lagLooks < MAX_LAG_LOOKS;
}

/**
 * One step of the queue loop, decided from what the run saw: the loop reads, calls this, and does
 * what it says. Nothing here reads or writes anything.
 */
export function queueStep(
  memory: QueueMemory,
  seen: QueueObservation,
): { memory: QueueMemory; action: QueueAction } {
  if (seen.stopping) return { memory, action: { kind: 'stop' } };
  const { trigger } = seen;
  if (waitsForList(memory, trigger)) {
    const lagLooks = memory.lagLooks + 1;
    return { memory: { ...memory, lagLooks }, action: { kind: 'look-again', sleepMs: 1000 * lagLooks } };
  }
  const mine = trigger && seen.ordered.find((comment) => comment.id === trigger.id);
  // The run's own comment, left behind by a run whose list lagged: handle it now, out of order,
  // rather than never. Never on a re-run of an old job, and never what is on record as handled.
  if (
    trigger &&
    mine &&
    seen.head &&
    mine.id < seen.head.comment.id &&
    seen.runAttempt === 1 &&
    !trigger.known &&
    !seen.answered.has(mine.id) &&
    surelyUnclaimed(mine)
  ) {
    return { memory, action: { kind: 'claim', comment: mine, outOfOrder: true } };
  }
  const step = nextStep(seen.ordered, seen.head, { now: seen.now, claimTimeoutMs: seen.claimTimeoutMs });
  switch (step.kind) {
    case 'empty':
      return { memory, action: { kind: 'done' } };
    case 'busy': {
      if (!trigger || trigger.id <= step.comment.id || !mine) {
        return { memory, action: { kind: 'leave', comment: step.comment } };
      }
      const sleepMs = Math.min(MAX_PAUSE_MS, 1000 * 2 ** memory.pauses);
      return {
        memory: { ...memory, pauses: memory.pauses + 1 },
        action: { kind: 'wait', comment: step.comment, sleepMs },
      };
    }
    case 'interrupted':
      return {
        memory: { ...memory, pauses: 0 },
        action: { kind: 'report', comment: step.comment, cause: 'lost', claimedAt: step.claimedAt },
      };
    case 'claim':
      return {
        memory: { ...memory, pauses: 0 },
        action: seen.answered.has(step.comment.id)
          ? { kind: 'report', comment: step.comment, cause: 'unmarked' }
          : { kind: 'claim', comment: step.comment, outOfOrder: false },
      };
  }
}

/** Read-only commands a person below the permission floor may run, at most this often. */
export const READ_ONLY_LIMIT = { commands: 3, windowMinutes: 10 } as const;

/** Whether a comment is taken into the queue, or refused whole before anything is claimed. */
export type Admission =
  /** `lane`: `ordered` (a responder's, in comment order) or `side` (read-only, answered after). */
  | { kind: 'run'; lane: 'ordered' | 'side' }
  | {
      kind: 'refuse';
      reason: 'too-many-commands' | 'no-access' | 'not-responder' | 'rate-limited';
      /**
       * `comment`: a reply to this comment. `person`: the one notice this person gets (per
       * incident; per rate-limit window for `rate-limited`), or nothing when they already had it.
       */
      reply: 'comment' | 'person';
      retryAt?: Date;
    };

export interface AdmissionFacts {
  role: RepositoryRole;
  /** The least role that may run commands other than read-only ones (the permission input). */
  floor: Permission;
  /** Read-only commands and the role each needs. */
  readOnly: ReadonlyMap<string, Permission>;
  maxCommands: number;
  /** When this person's read-only commands were answered (for the rate limit). */
  readOnlyAnswers: readonly Date[];
  now: Date;
}

/**
 * Decides, from the comment and what is known of its author, whether the comment may take a place
 * in the queue. A comment is refused whole when its author has no access; when its author is below
 * the permission floor and asks for more than the read-only commands, or for those too often; or
 * when a responder's comment holds more commands than one comment may (none of them runs). Pure.
 */
export function admit(comment: Pick<QueuedComment, 'lines' | 'unread'>, facts: AdmissionFacts): Admission {
  if (facts.role === 'none') return { kind: 'refuse', reason: 'no-access', reply: 'person' };
  if (atLeast(facts.role, facts.floor)) {
    return comment.lines.length > facts.maxCommands
      ? { kind: 'refuse', reason: 'too-many-commands', reply: 'comment' }
      : { kind: 'run', lane: 'ordered' };
  }
  const readOnly =
    !comment.unread &&
    comment.lines.every((line) => {
      const needs = facts.readOnly.get(line.name);
      return needs !== undefined && atLeast(facts.role, needs);
    });
  if (!readOnly) return { kind: 'refuse', reason: 'not-responder', reply: 'person' };
  const windowMs = READ_ONLY_LIMIT.windowMinutes * 60_000;
  const recent = facts.readOnlyAnswers
    .filter((at) => facts.now.getTime() - at.getTime() < windowMs)
    .sort((a, b) => a.getTime() - b.getTime());
  if (recent.length + comment.lines.length > READ_ONLY_LIMIT.commands) {
    const oldest = recent[0] ?? facts.now;
    return {
      kind: 'refuse',
      reason: 'rate-limited',
      reply: 'person',
      retryAt: new Date(oldest.getTime() + windowMs),
    };
  }
  return { kind: 'run', lane: 'side' };
}
