import {
  CLAIM,
  claimStateOf,
  commandComments,
  commandWindow,
  nextStep,
  surelyUnclaimed,
  wasEdited,
  type ClaimState,
  type Head,
  type QueuedComment,
} from '../commands/queue.ts';
import type { Outcome } from '../outcome.ts';
import { redact } from '../report/redact.ts';
import {
  renderEditedBeforeTurn,
  renderInterrupted,
  renderNoLongerIncident,
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
 * Handles every command on the issue that no run has handled yet, oldest first, claiming each
 * before it runs it (see commands/queue.ts). A run stops when the queue is empty; when another
 * run is handling a command, the run stops too unless its own comment is still waiting behind it.
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
  const known = new Map<number, ClaimState>();
  const lostClaims = new Map<number, number>();
  let runbook: LoadedRunbook | undefined;
  let current: QueuedComment | undefined;
  let terminating = false;
  let boardStale = false;
  let pauses = 0;
  let lagLooks = 0;

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
  const refuse = async (comment: QueuedComment, body: string, reason: string): Promise<Outcome[]> => {
    await deps.github.createComment(issue.number, body);
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

  try {
    for (;;) {
      if (deps.signals.stopRequested() || terminating) {
        deps.log('The run was asked to stop; it takes no further command.');
        break;
      }
      // The window is read again each time: someone may have closed the issue meanwhile.
      const [listed, events] = await Promise.all([
        deps.github.listComments(issue.number),
        outcomes.length > 0 ? readWindow() : Promise.resolve(window),
      ]);
      window = events;
      const queue = commandComments(listed, { selfLogin: deps.selfLogin, since });
      // GitHub's lists can lag a moment behind its events: look again before deciding anything.
      if (trigger && !known.has(trigger.id) && !listed.some((c) => c.id === trigger.id) && lagLooks < 5) {
        lagLooks += 1;
        deps.log(`Comment ${trigger.id} is not listed yet; looking again.`);
        await deps.sleep(1000 * lagLooks);
        continue;
      }
      const head = await findHead(queue, known, deps);
      // The run's own comment, left behind by a run whose list lagged: handle it now, out of order,
      // rather than never.
      const mine = trigger && queue.find((comment) => comment.id === trigger.id);
      if (mine && head && mine.id < head.comment.id && !known.has(mine.id) && surelyUnclaimed(mine)) {
        if (await claimAndHandle(mine)) continue;
        break;
      }
      const step = nextStep(queue, head, { now: deps.now(), claimTimeoutMs });
      if (step.kind === 'empty') break;
      if (step.kind === 'busy') {
        if (!trigger || trigger.id <= step.comment.id) {
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
      if (!(await claimAndHandle(step.comment))) break;
    }
    if (boardStale && !terminating) await refreshBoard(issue, deps, runbook);
  } finally {
    unregister();
  }
  return outcomes;
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
  deps.warn(`Comment ${comment.id} (${comment.lines.map((line) => line.text).join('; ')}) was interrupted.`);
  await deps.github.createComment(issue.number, renderInterrupted(view(comment), cause));
}

async function refreshBoard(issue: IssueRef, deps: Dependencies, runbook: LoadedRunbook | undefined) {
  if (!runbook?.ok) return;
  const context = incidentContext(deps, runbook.runbook);
  await publishBoard(await loadIncident({ number: issue.number, title: issue.title }, context), context);
}

function view(comment: QueuedComment): QueuedView {
  return {
    id: comment.id,
    author: comment.author,
    htmlUrl: comment.htmlUrl,
    commands: comment.lines.map((line) => line.text),
  };
}
