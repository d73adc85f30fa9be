import { atLeast } from '../authz/permission.ts';
import { DEFINED_COMMANDS } from '../commands/definitions.ts';
import {
  admit,
  CLAIM,
  CLOSING,
  claimStateOf,
  commandComments,
  commandWindow,
  FIRST_LOOK,
  mayHoldCommand,
  queueStep,
  waitsForList,
  NON_RESPONDER_PARSE_LIMIT,
  READ_ONLY_LIMIT,
  surelyUnclaimed,
  wasEdited,
  type Admission,
  type ClaimState,
  type CommandWindow,
  type Head,
  type QueuedComment,
  type QueueObservation,
} from '../commands/queue.ts';
import type { Permission } from '../config/runbook.schema.ts';
import { severityFromLabel } from '../events/route.ts';
import { CommentGone, type IssueComment } from '../github/port.ts';
import type { Outcome } from '../outcome.ts';
import type { RecordContent } from '../records/codec.ts';
import { answeredSources, readRecords, type RecordedComment } from '../records/read.ts';
import { isCore } from '../records/record.schema.ts';
import { redact } from '../report/redact.ts';
import {
  renderEditedBeforeTurn,
  renderInterrupted,
  renderNoLongerIncident,
  renderNotice,
  renderStale,
  renderTooManyCommands,
  type QueuedView,
} from '../report/replies.ts';
import { loadRunbook, type LoadedRunbook } from '../runbook/load.ts';
import { handleCommandComment, ranRunbookCommand, type IssueRef } from './comment.ts';
import type { Dependencies } from './dependencies.ts';
import { loadIncident, publishBoard } from './incident.ts';
import { incidentContext } from './finalize.ts';

/** The comment whose event started the run, as the payload shows it. */
export type TriggerComment = Pick<
  QueuedComment,
  'id' | 'author' | 'body' | 'htmlUrl' | 'createdAt' | 'updatedAt'
> & {
  /** The event was an edit: whatever the timestamps say, this text is not run. */
  edited?: boolean;
};

/**
 * Comments answered per run outside the ordered queue (read-only commands of people below the
 * floor, and comments refused whole), after the commands that run. Noise never delays a command,
 * and a flood of it costs each run a bounded number of writes; the next run answers the rest.
 */
const MAX_SIDE_PER_RUN = 10;
/** How old the issue as this run read it may be before a comment is looked at again at its turn. */
const FRESH_MS = 2_000;

/** Read-only commands and the role each needs: the same for every runbook. */
const READ_ONLY = new Map<string, Permission>(
  DEFINED_COMMANDS.filter((spec) => spec.readOnly).map((spec) => [spec.name, spec.permission]),
);

type Refusal = { comment: QueuedComment; admission: Extract<Admission, { kind: 'refuse' }> };

/** The issue's command comments, sorted into the three ways they are handled. */
interface Lanes {
  /** Responders' comments, claimed one after another in comment order. */
  ordered: QueuedComment[];
  /** Read-only commands of people below the floor, untouched so far: answered after, unordered. */
  side: QueuedComment[];
  /** Comments refused whole, not answered yet. */
  refused: Refusal[];
  /** Comments some record of the action answers: never run again. */
  answered: Set<number>;
}

/**
 * Handles every command on the issue that no run has handled yet. Responders' commands run in
 * comment order, each claimed before it runs (see commands/queue.ts). Everything else (read-only
 * commands from people below the floor, comments refused whole) takes no place in that order: it
 * is answered after the commands that run, at most MAX_SIDE_PER_RUN a run, each once.
 *
 * The issue is read once. It is read again only where correctness needs what others did since:
 * while another run holds a command this run waits behind; while GitHub does not list the run's
 * own comment yet; and, when the first read is older than FRESH_MS at a command's turn, that one
 * comment and the issue's state (was it edited, deleted, the issue closed meanwhile?).
 */
export async function drainQueue(
  issue: IssueRef,
  deps: Dependencies,
  trigger?: TriggerComment,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const readWindow = async (): Promise<CommandWindow> =>
    commandWindow(await deps.github.listEvents(issue.number), deps.settings.labelPrefix);
  // What every run reads anyway, asked for at once rather than one after another, so that the
  // claim (the first reaction) comes sooner; the per-run cache keeps the answers.
  void deps.github.listComments(issue.number).catch(() => undefined);
  if (trigger && trigger.author !== deps.selfLogin && mayHoldCommand(trigger.body)) {
    void deps.authorizer.roleOf(trigger.author).catch(() => undefined);
  }
  let window = await readWindow();
  const since = window.start ?? (trigger ? new Date(trigger.createdAt) : undefined);
  if (!since) return outcomes;
  const claimTimeoutMs = deps.settings.claimTimeoutSeconds * 1000;
  const scope = { sealer: deps.sealer, issueNumber: issue.number };
  const known = new Map<number, ClaimState>();
  const lostClaims = new Map<number, number>();
  const admissions = new Map<number, Admission>();
  const answeredHere = new Set<number>();
  let listedAt = deps.elapsedMs();
  let runbook: LoadedRunbook | undefined;
  let current: QueuedComment | undefined;
  let terminating = false;
  let boardStale = false;
  const stopping = () => terminating || deps.signals.stopRequested();
  const refresh = () => {
    deps.github.refresh(issue.number);
    listedAt = deps.elapsedMs();
  };

  /** Admissions in comment order, counting each person's read-only commands as they are admitted. */
  const sortLanes = async (listed: IssueComment[], records: RecordedComment[]): Promise<Lanes> => {
    const answered = answeredSources(records);
    // Roles of the people who may have asked for something (one lookup each per run, in parallel).
    const authors = [
      ...new Set(
        listed
          .filter(
            (comment) =>
              comment.author !== deps.selfLogin &&
              comment.authorType !== 'Bot' &&
              new Date(comment.createdAt) >= since &&
              mayHoldCommand(comment.body),
          )
          .map((comment) => comment.author),
      ),
    ];
    const roles = new Map(
      await Promise.all(
        authors.map(async (author) => [author, await deps.authorizer.roleOf(author)] as const),
      ),
    );
    const responder = (author: string) => atLeast(roles.get(author) ?? 'none', deps.settings.permission);
    const queue = commandComments(listed, {
      selfLogin: deps.selfLogin,
      since,
      parseFor: (comment) => responder(comment.author) || comment.body.length <= NON_RESPONDER_PARSE_LIMIT,
    });
    const lanes: Lanes = { ordered: [], side: [], refused: [], answered };
    const pending = new Map<string, Date[]>();
    for (const comment of queue) {
      const author = comment.author.toLowerCase();
      let admission = admissions.get(comment.id);
      if (!admission) {
        admission = admit(comment, {
          role: roles.get(comment.author) ?? 'none',
          floor: deps.settings.permission,
          readOnly: READ_ONLY,
          maxCommands: deps.settings.maxCommandsPerComment,
          readOnlyAnswers: [...readOnlyAnswersOf(author, records), ...(pending.get(author) ?? [])],
          now: deps.now(),
        });
        admissions.set(comment.id, admission);
      }
      if (known.get(comment.id)?.state === 'finished') continue;
      if (admission.kind === 'run' && admission.lane === 'ordered') {
        if (!(await closedByUs(comment))) lanes.ordered.push(comment);
        continue;
      }
      const untouched =
        !answered.has(comment.id) && !answeredHere.has(comment.id) && !(await touched(comment));
      if (admission.kind === 'run') {
        // Counted now, so that later comments of the same person see them.
        if (untouched)
          pending.set(author, [...(pending.get(author) ?? []), ...comment.lines.map(() => deps.now())]);
        if (untouched) lanes.side.push(comment);
      } else if (untouched) lanes.refused.push({ comment, admission });
    }
    return lanes;
  };
  /** Whether the action has already reacted to a comment it never claimed (refused or answered). */
  const touched = async (comment: QueuedComment): Promise<boolean> => {
    const anyone = ([CLAIM, ...CLOSING] as const).some((content) => (comment.reactions[content] ?? 0) > 0);
    if (!anyone) return false;
    const own = (await deps.github.listCommentReactions(comment.id)).filter(
      (reaction) => reaction.user === deps.selfLogin,
    );
    return own.length > 0;
  };
  /**
   * A comment refused whole once (the action's 😕, no 👀) stays refused even when its author may
   * run commands now: it is finished, never run later.
   */
  const closedByUs = async (comment: QueuedComment): Promise<boolean> => {
    if (!surelyUnclaimed(comment) || !CLOSING.some((content) => (comment.reactions[content] ?? 0) > 0))
      return false;
    const state = claimStateOf(await deps.github.listCommentReactions(comment.id), deps.selfLogin);
    if (state.state === 'finished') known.set(comment.id, state);
    return state.state === 'finished';
  };

  // Cancelled while a command runs: say so on the issue before the runner kills the process.
  const unregister = deps.signals.onTerminate(async () => {
    terminating = true;
    const held = current;
    if (!held) return;
    const state = claimStateOf(await deps.github.listCommentReactions(held.id), deps.selfLogin);
    if (state.state !== 'finished') await reportInterrupted(held, issue, deps, { kind: 'cancelled' });
  });
  const handleClaimed = async (comment: QueuedComment): Promise<Outcome[]> => {
    current = comment;
    try {
      if (wasEdited(comment) || (trigger?.edited && comment.id === trigger.id))
        return await refuse(comment, renderEditedBeforeTurn(view(comment)), 'edited');
      if (!window.active) return await refuse(comment, renderNoLongerIncident(view(comment)), 'not-incident');
      runbook ??= await loadRunbook(deps.settings.runbookPath, 'on the default branch', deps.github.readFile);
      return await handleCommandComment(
        {
          id: comment.id,
          body: comment.body,
          author: comment.author,
          htmlUrl: comment.htmlUrl,
          lines: comment.lines,
        },
        issue,
        deps,
        runbook,
      );
    } catch (error) {
      // Say so now rather than leave the queue held until the claim times out.
      if (!terminating && !(error instanceof CommentGone)) {
        const message = redact(String(error), deps.secrets).text;
        await reportInterrupted(comment, issue, deps, { kind: 'failed', message }).catch(() => undefined);
      }
      throw error;
    } finally {
      current = undefined;
    }
  };
  const refuse = async (
    comment: QueuedComment,
    body: string,
    reason: 'edited' | 'not-incident' | 'stale',
  ): Promise<Outcome[]> => {
    await deps.writer.post(issue.number, body, refusalRecord(comment, reason, deps));
    await deps.github.reactToComment(comment.id, 'confused');
    return [{ status: 'refused', reason, message: `comment ${comment.id}: ${reason}, nothing was executed` }];
  };
  /**
   * The comment as it stands at its turn. When what this run read is no longer fresh: read that
   * comment again (deleted? edited?) and whether the issue is still an open incident.
   */
  const atItsTurn = async (comment: QueuedComment): Promise<QueuedComment | undefined> => {
    if (deps.elapsedMs() - listedAt <= FRESH_MS) return comment;
    const now = await deps.github.getComment(comment.id);
    if (!now) return undefined;
    const incident = await deps.github.getIssue(issue.number);
    const active =
      incident.state === 'open' &&
      incident.labels.some((label) => severityFromLabel(label, deps.settings.labelPrefix) !== undefined);
    if (!active) window = { ...window, active: false };
    return {
      ...comment,
      updatedAt: now.updatedAt,
      ...(now.body !== comment.body ? { edited: true as const } : {}),
    };
  };
  /** Claims a comment (the 👀 decides which run) and handles it; false when the run must stop. */
  const claimAndHandle = async (queued: QueuedComment, lane: 'ordered' | 'side'): Promise<boolean> => {
    if (stopping()) return false;
    const comment = await atItsTurn(queued);
    if (!comment) {
      deps.log(`Comment ${queued.id} was deleted before its turn; nothing to do.`);
      known.set(queued.id, { state: 'finished', outcome: 'gone' });
      return true;
    }
    let claimed: boolean;
    try {
      claimed = await deps.github.reactToComment(comment.id, CLAIM);
    } catch (error) {
      if (!(error instanceof CommentGone)) throw error;
      deps.log(`Comment ${comment.id} was deleted before its turn; nothing to do.`);
      known.set(comment.id, { state: 'finished', outcome: 'gone' });
      return true;
    }
    if (!claimed) {
      const losses = (lostClaims.get(comment.id) ?? 0) + 1;
      lostClaims.set(comment.id, losses);
      if (losses >= 3) {
        throw new Error(
          `comment ${comment.id} already has this token's 👀, but no reaction by "${deps.selfLogin}" shows it: set the bot-login input to the login the token posts as`,
        );
      }
      deps.log(`Comment ${comment.id} was claimed by another run first.`);
      refresh();
      await deps.sleep(500 * losses);
      return true;
    }
    deps.log(`Claimed comment ${comment.id} by @${comment.author} (${lane}).`);
    known.set(comment.id, { state: 'claimed', claimedAt: deps.now() });
    // A command whose turn comes long after it was posted is not run: things have moved on.
    const handled =
      deps.now().getTime() - new Date(comment.createdAt).getTime() > claimTimeoutMs
        ? await refuse(comment, renderStale(view(comment), claimTimeoutMs), 'stale')
        : await handleClaimed(comment);
    known.set(comment.id, { state: 'finished', outcome: 'handled' });
    answeredHere.add(comment.id);
    outcomes.push(...handled);
    if (ranRunbookCommand(handled)) boardStale = true;
    return true;
  };

  let lanes: Lanes = { ordered: [], side: [], refused: [], answered: new Set() };
  let memory = FIRST_LOOK;
  try {
    for (;;) {
      const stop = stopping();
      const listed = stop ? [] : await deps.github.listComments(issue.number);
      const mine = trigger && {
        id: trigger.id,
        listed: listed.some((c) => c.id === trigger.id),
        known: known.has(trigger.id),
      };
      // Read the rest only when the step needs it.
      const look = !stop && !waitsForList(memory, mine);
      if (look) {
        window = await readWindow();
        const { records } = readRecords(listed, { selfLogin: deps.selfLogin, scope });
        lanes = await sortLanes(listed, records);
      }
      const seen: QueueObservation = {
        stopping: stop,
        ...(mine ? { trigger: mine } : {}),
        ordered: lanes.ordered,
        head: look ? await findHead(lanes.ordered, known, deps, lanes.answered) : undefined,
        answered: lanes.answered,
        runAttempt: deps.runAttempt,
        now: deps.now(),
        claimTimeoutMs,
      };
      const step = queueStep(memory, seen);
      memory = step.memory;
      const { action } = step;
      if (action.kind === 'stop') {
        deps.log('The run was asked to stop; it takes no further command.');
        break;
      }
      if (action.kind === 'done') break;
      if (action.kind === 'look-again') {
        deps.log(`Comment ${trigger?.id} is not listed yet; looking again.`);
        await deps.sleep(action.sleepMs);
        refresh();
        continue;
      }
      if (action.kind === 'leave') {
        deps.log(
          `Comment ${action.comment.id} is being handled by another run, which goes on with the rest of the queue.`,
        );
        break;
      }
      if (action.kind === 'wait') {
        deps.log(
          `Comment ${action.comment.id} is being handled by another run; comment ${trigger?.id} waits its turn (next look in ${action.sleepMs} ms).`,
        );
        await deps.sleep(action.sleepMs);
        refresh();
        continue;
      }
      if (action.kind === 'report') {
        await reportInterrupted(
          action.comment,
          issue,
          deps,
          action.cause === 'lost'
            ? { kind: 'lost', claimedAt: action.claimedAt, timeoutSeconds: deps.settings.claimTimeoutSeconds }
            : { kind: 'unmarked' },
        );
        known.set(action.comment.id, { state: 'finished', outcome: 'confused' });
        continue;
      }
      if (!(await claimAndHandle(action.comment, 'ordered'))) break;
    }
    if (!stopping()) outcomes.push(...(await answerAside(lanes, issue, deps, claimAndHandle)));
    // The board follows what this run changed (a runbook command) or found (a tampered record).
    if ((boardStale || outcomes.length > 0) && !terminating) {
      runbook ??= await loadRunbook(deps.settings.runbookPath, 'on the default branch', deps.github.readFile);
      const changed =
        boardStale ||
        outcomes.some((outcome) => outcome.status !== 'refused' && outcome.status !== 'ignored');
      await refreshBoard(issue, deps, runbook, changed);
    }
  } finally {
    unregister();
  }
  return outcomes;
}

function readOnlyAnswersOf(author: string, records: RecordedComment[]): Date[] {
  return records.flatMap(({ record }) =>
    isCore(record) &&
    record.kind === 'answered' &&
    READ_ONLY.has(record.command) &&
    record.by.toLowerCase() === author
      ? [new Date(record.at)]
      : [],
  );
}

/**
 * Answers what waits outside the ordered queue, oldest first and at most MAX_SIDE_PER_RUN: the
 * read-only commands of people below the floor (claimed and answered like any command), and the
 * comments refused whole (the action's 😕 decides which run answers each; GitHub keeps one per
 * user and kind). A refused comment gets its own reply only when its author could run commands
 * here; anyone else gets one notice per incident.
 */
async function answerAside(
  lanes: Lanes,
  issue: IssueRef,
  deps: Dependencies,
  claimAndHandle: (comment: QueuedComment, lane: 'side') => Promise<boolean>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const work = [...lanes.side.map((comment) => ({ comment, admission: undefined })), ...lanes.refused].sort(
    (a, b) => a.comment.id - b.comment.id,
  );
  for (const { comment, admission } of work.slice(0, MAX_SIDE_PER_RUN)) {
    if (deps.signals.stopRequested()) break;
    try {
      if (!admission) {
        if (!(await claimAndHandle(comment, 'side'))) break;
        continue;
      }
      outcomes.push(...(await answerRefusal(comment, admission, issue, deps)));
    } catch (error) {
      if (!(error instanceof CommentGone)) throw error;
      deps.log(`Comment ${comment.id} was deleted before it was answered.`);
    }
  }
  const left = work.length - Math.min(work.length, MAX_SIDE_PER_RUN);
  if (left > 0) deps.log(`${left} more comments are left for the next run to answer.`);
  return outcomes;
}

async function answerRefusal(
  comment: QueuedComment,
  admission: Refusal['admission'],
  issue: IssueRef,
  deps: Dependencies,
): Promise<Outcome[]> {
  if (!(await deps.github.reactToComment(comment.id, 'confused'))) return [];
  const message = `comment ${comment.id} by @${comment.author}: ${admission.reason}, nothing was executed`;
  const reason =
    admission.reason === 'no-access' || admission.reason === 'not-responder'
      ? 'permission'
      : admission.reason;
  const outcome: Outcome = { status: 'refused', reason, message };
  if (admission.reason === 'too-many-commands') {
    await deps.writer.post(
      issue.number,
      renderTooManyCommands(view(comment), deps.settings.maxCommandsPerComment),
      refusalRecord(comment, admission.reason, deps),
    );
    return [outcome];
  }
  const { records } = readRecords(await deps.github.listComments(issue.number), {
    selfLogin: deps.selfLogin,
    scope: { sealer: deps.sealer, issueNumber: issue.number },
  });
  const windowMs = READ_ONLY_LIMIT.windowMinutes * 60_000;
  const noticed = records.some(
    ({ record }) =>
      isCore(record) &&
      record.kind === 'notice' &&
      record.user.toLowerCase() === comment.author.toLowerCase() &&
      record.reason === admission.reason &&
      (admission.reason !== 'rate-limited' || deps.now().getTime() - Date.parse(record.at) < windowMs),
  );
  if (noticed) return [outcome];
  const text = renderNotice(admission.reason, {
    user: comment.author,
    role: await deps.authorizer.roleOf(comment.author),
    floor: deps.settings.permission,
    readOnly: [...READ_ONLY.keys()],
    limit: READ_ONLY_LIMIT.commands,
    windowMinutes: READ_ONLY_LIMIT.windowMinutes,
    ...(admission.retryAt ? { retryAt: admission.retryAt } : {}),
  });
  await deps.writer.post(issue.number, text, {
    kind: 'notice',
    user: comment.author,
    reason: admission.reason,
    by: comment.author,
    at: deps.now().toISOString(),
    source: comment.id,
  });
  return [outcome];
}

function refusalRecord(comment: QueuedComment, reason: string, deps: Dependencies): RecordContent {
  return {
    kind: 'refused',
    user: comment.author,
    reason,
    by: comment.author,
    at: deps.now().toISOString(),
    source: comment.id,
  };
}

/**
 * The last claimed comment: the last with the action's 👀, or with a record of the action that
 * answers it, whichever comes later (reactions can be removed; everything before the head is
 * finished and never claimed). Comments whose roll-up shows no 👀 are unclaimed as far as
 * reactions tell; for the others the reactions say whether the action's 👀 is among them.
 */
async function findHead(
  queue: QueuedComment[],
  known: Map<number, ClaimState>,
  deps: Dependencies,
  answered: Set<number>,
): Promise<Head | undefined> {
  for (let index = queue.length - 1; index >= 0; index -= 1) {
    const comment = queue[index];
    if (!comment) continue;
    const remembered = known.get(comment.id);
    if (remembered?.state === 'finished') return { comment, claim: remembered };
    if (surelyUnclaimed(comment)) {
      // On record as handled, with its reactions gone: it still marks how far the queue got.
      if (answered.has(comment.id)) return { comment, claim: { state: 'finished', outcome: 'on record' } };
      continue;
    }
    const claim = claimStateOf(await deps.github.listCommentReactions(comment.id), deps.selfLogin);
    if (claim.state === 'unclaimed') continue;
    if (claim.state === 'finished') known.set(comment.id, claim);
    return { comment, claim };
  }
  return undefined;
}

/** Reports a claimed command that will never finish; the 😕 decides which run writes the report. */
async function reportInterrupted(
  comment: QueuedComment,
  issue: IssueRef,
  deps: Dependencies,
  cause: Parameters<typeof renderInterrupted>[1],
): Promise<void> {
  try {
    if (!(await deps.github.reactToComment(comment.id, 'confused'))) return;
  } catch (error) {
    if (error instanceof CommentGone) return;
    throw error;
  }
  deps.warn(
    `Comment ${comment.id} by @${comment.author} (${comment.lines.length} commands) was interrupted.`,
  );
  await deps.writer.post(issue.number, renderInterrupted(view(comment), cause), {
    kind: 'interrupted',
    commands: comment.lines.map((line) => line.text.slice(0, 200)).slice(0, 50),
    by: comment.author,
    at: deps.now().toISOString(),
    source: comment.id,
  });
}

/** Republishes the board after a runbook command, or when what it says of tampering is out of date. */
async function refreshBoard(
  issue: IssueRef,
  deps: Dependencies,
  runbook: LoadedRunbook | undefined,
  changed: boolean,
) {
  if (!runbook) return;
  const context = incidentContext(deps, runbook.ok ? runbook.runbook : runbook.fallback);
  const snapshot = await loadIncident({ number: issue.number, title: issue.title }, context);
  const shown = /(\d+) of the action's comments were changed/.exec(snapshot.board?.body ?? '')?.[1];
  if (changed || Number(shown ?? 0) !== snapshot.tampered.length) {
    // The board is a summary: failing to refresh it never fails the run that did the work.
    await publishBoard(snapshot, context).catch((error: unknown) =>
      deps.warn(`Could not refresh the status board: ${String(error)}`),
    );
  }
}

function view(comment: QueuedComment): QueuedView {
  return {
    id: comment.id,
    author: comment.author,
    htmlUrl: comment.htmlUrl,
    commands: comment.lines.map((line) => line.text),
  };
}
