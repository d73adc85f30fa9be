import { BUILTIN_COMMANDS, LIFECYCLE_COMMANDS } from '../commands/registry.ts';
import {
  admit,
  CLAIM,
  claimStateOf,
  commandComments,
  commandWindow,
  nextStep,
  READ_ONLY_LIMIT,
  surelyUnclaimed,
  wasEdited,
  type Admission,
  type ClaimState,
  type Head,
  type QueuedComment,
} from '../commands/queue.ts';
import type { Permission } from '../config/runbook.schema.ts';
import { severityFromLabel } from '../events/route.ts';
import type { Outcome } from '../outcome.ts';
import type { RecordContent } from '../records/codec.ts';
import { answeredSources, readRecords, type RecordedComment } from '../records/read.ts';
import { redact } from '../report/redact.ts';
import {
  renderEditedBeforeTurn,
  renderInterrupted,
  renderNoLongerIncident,
  renderNotice,
  renderTooManyCommands,
  type QueuedView,
} from '../report/replies.ts';
import { loadRunbook, type LoadedRunbook } from '../runbook/load.ts';
import { handleCommandComment, ranRunbookCommand, type IssueRef } from './comment.ts';
import type { Dependencies } from './dependencies.ts';
import { loadIncident, publishBoard } from './incident.ts';
import { incidentContext } from './lifecycle.ts';

/** The comment whose event started the run, as the payload shows it. */
export type TriggerComment = Pick<
  QueuedComment,
  'id' | 'author' | 'body' | 'htmlUrl' | 'createdAt' | 'updatedAt'
> & {
  /** The event was an edit: whatever the timestamps say, this text is not run. */
  edited?: boolean;
};

/** Longest pause between two looks at a comment another run is handling. */
const MAX_PAUSE_MS = 10_000;
/**
 * Refused comments answered per run, after the commands that run. Noise never delays a command,
 * and a flood of it costs each run a bounded number of writes; the next run answers the rest.
 */
const MAX_REFUSALS_PER_RUN = 10;

/** Read-only commands and the role each needs: the same for every runbook. */
const READ_ONLY = new Map<string, Permission>(
  [...BUILTIN_COMMANDS, ...LIFECYCLE_COMMANDS]
    .filter((spec) => spec.readOnly)
    .map((spec) => [spec.name, spec.permission]),
);

/**
 * Handles every command on the issue that no run has handled yet, oldest first, claiming each
 * before it runs it (see commands/queue.ts). Comments refused whole (too many commands, or an
 * author who may not run them) take no place in the queue: they are answered after the commands
 * that run, at most once each. The issue is read once; it is read again only while another run
 * holds a command this run waits behind, or while GitHub does not list the run's own comment yet.
 */
export async function drainQueue(
  issue: IssueRef,
  deps: Dependencies,
  trigger?: TriggerComment,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const readWindow = async () =>
    commandWindow(await deps.github.listEvents(issue.number), deps.settings.labelPrefix, deps.selfLogin);
  let window = await readWindow();
  const since = window.start ?? (trigger ? new Date(trigger.createdAt) : undefined);
  if (!since) return outcomes;
  const claimTimeoutMs = deps.settings.claimTimeoutSeconds * 1000;
  const scope = { sealer: deps.sealer, issueNumber: issue.number };
  const known = new Map<number, ClaimState>();
  const lostClaims = new Map<number, number>();
  const admissions = new Map<number, Admission>();
  let runbook: LoadedRunbook | undefined;
  let current: QueuedComment | undefined;
  let terminating = false;
  let boardStale = false;
  let pauses = 0;
  let lagLooks = 0;

  const admissionOf = async (comment: QueuedComment, records: RecordedComment[]): Promise<Admission> => {
    const remembered = admissions.get(comment.id);
    if (remembered) return remembered;
    const admission = admit(comment, {
      role: await deps.authorizer.roleOf(comment.author),
      floor: deps.settings.permission,
      readOnly: READ_ONLY,
      maxCommands: deps.settings.maxCommandsPerComment,
      readOnlyAnswers: records
        .map(({ record }) => record)
        .filter(
          (record) =>
            record.kind === 'answered' &&
            READ_ONLY.has(record.command) &&
            record.by.toLowerCase() === comment.author.toLowerCase(),
        )
        .map((record) => new Date('at' in record ? record.at : 0)),
      now: deps.now(),
    });
    admissions.set(comment.id, admission);
    return admission;
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
      runbook ??= await loadRunbook(deps.settings.runbookPath, deps.github.readFile);
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
      if (!terminating) {
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
    reason: 'edited' | 'not-incident',
  ): Promise<Outcome[]> => {
    await deps.writer.post(issue.number, body, refusalRecord(comment, reason, deps));
    await deps.github.reactToComment(comment.id, 'confused');
    return [{ status: 'refused', reason, message: `comment ${comment.id}: ${reason}, nothing was executed` }];
  };
  const claimAndHandle = async (comment: QueuedComment): Promise<boolean> => {
    if (deps.signals.stopRequested() || terminating) return false;
    if (!(await deps.github.reactToComment(comment.id, CLAIM))) {
      const losses = (lostClaims.get(comment.id) ?? 0) + 1;
      lostClaims.set(comment.id, losses);
      if (losses >= 3) {
        throw new Error(
          `comment ${comment.id} already has this token's 👀, but no reaction by "${deps.selfLogin}" shows it: set the bot-login input to the login the token posts as`,
        );
      }
      deps.log(`Comment ${comment.id} was claimed by another run first.`);
      deps.github.refresh(issue.number);
      await deps.sleep(500 * losses);
      return true;
    }
    deps.log(`Claimed comment ${comment.id} by @${comment.author}.`);
    known.set(comment.id, { state: 'claimed', claimedAt: deps.now() });
    const handled = await handleClaimed(comment);
    known.set(comment.id, { state: 'finished', outcome: 'handled' });
    outcomes.push(...handled);
    if (ranRunbookCommand(handled)) boardStale = true;
    return true;
  };
  /** Whether the issue is still an open incident: someone may have closed it meanwhile. */
  const stillActive = async (): Promise<boolean> => {
    const current = await deps.github.getIssue(issue.number);
    return (
      current.state === 'open' &&
      current.labels.some((label) => severityFromLabel(label, deps.settings.labelPrefix) !== undefined)
    );
  };

  const refusals = new Map<number, { comment: QueuedComment; admission: Admission & { kind: 'refuse' } }>();
  let handledOne = false;
  try {
    for (;;) {
      if (deps.signals.stopRequested() || terminating) {
        deps.log('The run was asked to stop; it takes no further command.');
        break;
      }
      const listed = await deps.github.listComments(issue.number);
      // GitHub's lists can lag a moment behind its events: look again before deciding anything.
      if (trigger && !known.has(trigger.id) && !listed.some((c) => c.id === trigger.id) && lagLooks < 5) {
        lagLooks += 1;
        deps.log(`Comment ${trigger.id} is not listed yet; looking again.`);
        await deps.sleep(1000 * lagLooks);
        deps.github.refresh(issue.number);
        continue;
      }
      const { records } = readRecords(listed, { selfLogin: deps.selfLogin, scope });
      const answered = answeredSources(records);
      const queue = commandComments(listed, { selfLogin: deps.selfLogin, since });
      for (const comment of queue) {
        const admission = await admissionOf(comment, records);
        const untouched = (comment.reactions.confused ?? 0) === 0 && surelyUnclaimed(comment);
        if (admission.kind === 'refuse' && untouched && !answered.has(comment.id) && !known.has(comment.id))
          refusals.set(comment.id, { comment, admission });
      }
      const runnable = queue.filter((comment) => admissions.get(comment.id)?.kind === 'run');
      const head = await findHead(runnable, known, deps);
      // The run's own comment, left behind by a run whose list lagged: handle it now, out of order,
      // rather than never.
      const mine = trigger && runnable.find((comment) => comment.id === trigger.id);
      if (mine && head && mine.id < head.comment.id && !known.has(mine.id) && surelyUnclaimed(mine)) {
        if (await claimAndHandle(mine)) continue;
        break;
      }
      const step = nextStep(runnable, head, { now: deps.now(), claimTimeoutMs });
      if (step.kind === 'empty') break;
      if (step.kind === 'busy') {
        if (!trigger || trigger.id <= step.comment.id || refusals.has(trigger.id)) {
          deps.log(
            `Comment ${step.comment.id} is being handled by another run, which goes on with the rest of the queue.`,
          );
          break;
        }
        const pause = Math.min(MAX_PAUSE_MS, 1000 * 2 ** pauses++);
        deps.log(
          `Comment ${step.comment.id} is being handled by another run; comment ${trigger.id} waits its turn (next look in ${pause} ms).`,
        );
        await deps.sleep(pause);
        deps.github.refresh(issue.number);
        continue;
      }
      pauses = 0;
      if (step.kind === 'interrupted') {
        await reportInterrupted(step.comment, issue, deps, {
          kind: 'lost',
          claimedAt: step.claimedAt,
          timeoutSeconds: deps.settings.claimTimeoutSeconds,
        });
        known.set(step.comment.id, { state: 'finished', outcome: 'confused' });
        continue;
      }
      if (answered.has(step.comment.id)) {
        // It was handled (its answer is on record) but carries none of the action's reactions any
        // more: never run it again.
        await reportInterrupted(step.comment, issue, deps, { kind: 'unmarked' });
        known.set(step.comment.id, { state: 'finished', outcome: 'confused' });
        continue;
      }
      if (handledOne && window.active && !(await stillActive())) window = { ...window, active: false };
      if (!(await claimAndHandle(step.comment))) break;
      handledOne = true;
      window = await readWindow();
    }
    if (!terminating && !deps.signals.stopRequested()) {
      outcomes.push(...(await answerRefusals([...refusals.values()], issue, deps)));
    }
    // The board follows what this run changed (a runbook command) or found (a tampered record).
    if ((boardStale || outcomes.length > 0) && !terminating) {
      runbook ??= await loadRunbook(deps.settings.runbookPath, deps.github.readFile);
      await refreshBoard(issue, deps, runbook, boardStale);
    }
  } finally {
    unregister();
  }
  return outcomes;
}

/**
 * Answers comments refused whole, oldest first and at most MAX_REFUSALS_PER_RUN: the action's 😕
 * decides which run answers each (GitHub keeps one per user and kind). A comment gets its own reply
 * only when its author could run commands here; anyone else gets one notice per incident.
 */
async function answerRefusals(
  refusals: { comment: QueuedComment; admission: Admission & { kind: 'refuse' } }[],
  issue: IssueRef,
  deps: Dependencies,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const sorted = refusals.sort((a, b) => a.comment.id - b.comment.id).slice(0, MAX_REFUSALS_PER_RUN);
  for (const { comment, admission } of sorted) {
    if (deps.signals.stopRequested()) break;
    if (!(await deps.github.reactToComment(comment.id, 'confused'))) continue;
    const message = `comment ${comment.id} by @${comment.author}: ${admission.reason}, nothing was executed`;
    const reason =
      admission.reason === 'no-access' || admission.reason === 'not-responder'
        ? 'permission'
        : admission.reason;
    outcomes.push({ status: 'refused', reason, message });
    if (admission.reply === 'comment') {
      await deps.writer.post(
        issue.number,
        renderTooManyCommands(view(comment), deps.settings.maxCommandsPerComment),
        refusalRecord(comment, admission.reason, deps),
      );
      continue;
    }
    const listed = await deps.github.listComments(issue.number);
    const { records } = readRecords(listed, {
      selfLogin: deps.selfLogin,
      scope: { sealer: deps.sealer, issueNumber: issue.number },
    });
    const windowMs = READ_ONLY_LIMIT.windowMinutes * 60_000;
    const noticed = records.some(
      ({ record }) =>
        record.kind === 'notice' &&
        record.user.toLowerCase() === comment.author.toLowerCase() &&
        record.reason === admission.reason &&
        (admission.reason !== 'rate-limited' || deps.now().getTime() - Date.parse(record.at) < windowMs),
    );
    if (noticed) continue;
    if (admission.reason === 'too-many-commands') continue;
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
  }
  const left = refusals.length - sorted.length;
  if (left > 0) deps.log(`${left} more refused comments are left for the next run to answer.`);
  return outcomes;
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
 * The last claimed comment. Comments whose roll-up shows no 👀 are unclaimed for sure; for the
 * others the reactions say whether the action's 👀 is among them.
 */
async function findHead(
  queue: QueuedComment[],
  known: Map<number, ClaimState>,
  deps: Dependencies,
): Promise<Head | undefined> {
  for (let index = queue.length - 1; index >= 0; index -= 1) {
    const comment = queue[index];
    if (!comment) continue;
    const remembered = known.get(comment.id);
    if (remembered?.state === 'finished') return { comment, claim: remembered };
    if (surelyUnclaimed(comment)) continue;
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
  if (!(await deps.github.reactToComment(comment.id, 'confused'))) return;
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
  if (!runbook?.ok) return;
  const context = incidentContext(deps, runbook.runbook);
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
