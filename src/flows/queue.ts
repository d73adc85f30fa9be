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
import type { IssueComment } from '../github/port.ts';
import type { Outcome } from '../outcome.ts';
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
export interface TriggerComment {
  id: number;
  author: string;
  body: string;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
  /** The event was an edit: whatever the timestamps say, this text is not run. */
  edited?: boolean;
}

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
  const prefix = deps.settings.labelPrefix;
  let window = commandWindow(await deps.github.listEvents(issue.number), prefix);
  const since = window.start ?? (trigger ? new Date(trigger.createdAt) : undefined);
  if (!since) return outcomes;
  const claimTimeoutMs = deps.settings.claimTimeoutSeconds * 1000;
  const known = new Map<number, ClaimState>();
  let runbook: LoadedRunbook | undefined;
  let current: QueuedComment | undefined;
  let boardStale = false;
  let pauses = 0;
  let last: QueuedComment[] = [];
  let listed: IssueComment[] = [];

  // Cancelled while a command runs: say so on the issue before the runner kills the process.
  const unregister = deps.signals.onTerminate(async () => {
    if (current) await reportInterrupted(current, issue, deps, { kind: 'cancelled' });
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
    } finally {
      current = undefined;
    }
  };
  const refuse = async (comment: QueuedComment, body: string, reason: string): Promise<Outcome[]> => {
    await deps.github.createComment(issue.number, body);
    await deps.github.reactToComment(comment.id, 'confused');
    return [{ status: 'refused', reason, message: `comment ${comment.id}: ${reason}, nothing was executed` }];
  };

  try {
    for (;;) {
      if (deps.signals.stopRequested()) {
        deps.log('The run was asked to stop; it takes no further command.');
        break;
      }
      listed = await deps.github.listComments(issue.number);
      const queue = commandComments(listed, { selfLogin: deps.selfLogin, since });
      last = queue;
      const head = await findHead(queue, known, deps);
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
      const { comment } = step;
      if (!(await deps.github.reactToComment(comment.id, CLAIM))) {
        deps.log(`Comment ${comment.id} was claimed by another run first.`);
        continue;
      }
      deps.log(`Claimed comment ${comment.id} by @${comment.author}.`);
      known.set(comment.id, { state: 'claimed', claimedAt: deps.now() });
      const handled = await handleClaimed(comment);
      known.set(comment.id, { state: 'finished', outcome: 'handled' });
      outcomes.push(...handled);
      if (ranRunbookCommand(handled)) boardStale = true;
      // /resolve closes the issue: what is still queued after it is not run.
      if (handled.some((outcome) => outcome.command === 'resolve' && outcome.status === 'success')) {
        window = commandWindow(await deps.github.listEvents(issue.number), prefix);
      }
    }
    // GitHub's lists can lag a moment behind its events: the run's own comment is never left
    // behind. What the list shows wins over the payload; the payload is used only when the comment
    // is not listed at all, and never for an edit.
    if (trigger && !deps.signals.stopRequested() && !known.has(trigger.id) && window.active) {
      const shown = listed.some((comment) => comment.id === trigger.id);
      const fromList = last.find((comment) => comment.id === trigger.id);
      const queued = shown
        ? fromList && surelyUnclaimed(fromList)
          ? fromList
          : undefined
        : trigger.edited
          ? undefined
          : triggerAsQueued(trigger);
      if (queued && (await deps.github.reactToComment(queued.id, CLAIM))) {
        deps.log(`Claimed comment ${queued.id}, which no run had claimed in turn.`);
        const handled = await handleClaimed(queued);
        outcomes.push(...handled);
        if (ranRunbookCommand(handled)) boardStale = true;
      }
    }
    if (boardStale) await refreshBoard(issue, deps, runbook);
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

function triggerAsQueued(trigger: TriggerComment): QueuedComment | undefined {
  const [queued] = commandComments([{ ...trigger, authorType: 'User', reactions: {} }], {
    selfLogin: '',
    since: new Date(0),
  });
  return queued;
}
