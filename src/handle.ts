import { commandLinesOf } from './commands/queue.ts';
import type { IssueCommentEvent, IssuePayload } from './events/payload.schema.ts';
import type { Route } from './events/route.ts';
import type { IssueRef } from './flows/comment.ts';
import { receiveAlert } from './flows/alert.ts';
import { declareIncident, issueChanged } from './flows/declare.ts';
import { drainQueue, type TriggerComment } from './flows/queue.ts';
import { sweepIncidents } from './flows/sweep.ts';
import type { Dependencies } from './flows/dependencies.ts';
import type { Outcome } from './outcome.ts';

export type ActionableRoute = Exclude<Route, { kind: 'ignore' | 'invalid' }>;

/** Carries out one routed event. Every side effect goes through `deps`. */
export async function handle(route: ActionableRoute, deps: Dependencies): Promise<Outcome> {
  switch (route.kind) {
    case 'schedule':
      return sweepIncidents(deps);
    case 'alert':
      return receiveAlert(route.notification, deps);
    case 'comment': {
      const { comment } = route.event;
      // A comment without commands starts a run too: it may have replaced a command's pending run.
      const trigger =
        commandLinesOf({
          id: comment.id,
          updatedAt: comment.updated_at ?? comment.created_at,
          body: comment.body,
        }).length > 0
          ? triggerOf(comment)
          : undefined;
      return orIgnored(await drainQueue(issueRef(route.event.issue), deps, trigger), {
        status: 'ignored',
        reason: trigger ? 'handled-elsewhere' : 'no-command',
        message: trigger
          ? `comment ${comment.id} was handled by another run`
          : `comment ${comment.id} has no command line`,
      });
    }
    case 'queue': {
      deps.log(route.reason);
      const trigger = route.trigger ? { ...triggerOf(route.trigger), edited: true } : undefined;
      return orIgnored(await drainQueue(issueRef(route.issue), deps, trigger), {
        status: 'ignored',
        reason: 'not-applicable',
        message: route.reason,
      });
    }
    case 'declare': {
      const declared = await declareIncident(route.event, route.severity, deps);
      const assessment = declared.details?.assessment as Outcome | undefined;
      // Commands posted between the label and this run wait in the queue.
      const queued = await drainQueue(issueRef(route.event.issue), deps);
      return orIgnored([declared, ...(assessment ? [assessment] : []), ...queued], declared);
    }
    case 'issue-changed': {
      const changed = await issueChanged(route.event, route.change, deps);
      // Reopened: commands posted since. Closed or unlabelled: queued commands get their ⏹️ reply.
      return orIgnored([changed, ...(await drainQueue(issueRef(route.event.issue), deps))], changed);
    }
  }
}

/** `alone` when nothing else happened, else every outcome combined. */
function orIgnored(outcomes: Outcome[], alone: Outcome): Outcome {
  return outcomes.length === 0 || (outcomes.length === 1 && outcomes[0] === alone)
    ? alone
    : combine(outcomes);
}

function issueRef(issue: IssuePayload): IssueRef {
  return {
    number: issue.number,
    title: issue.title,
    url: issue.html_url,
    labels: issue.labels.map((label) => label.name),
  };
}

function triggerOf(comment: IssueCommentEvent['comment']): TriggerComment {
  return {
    id: comment.id,
    author: comment.user.login,
    body: comment.body,
    htmlUrl: comment.html_url,
    createdAt: comment.created_at,
    updatedAt: comment.updated_at ?? comment.created_at,
  };
}

const SEVERITY_ORDER = ['error', 'failure', 'refused', 'planned', 'success', 'ignored'] as const;

/** One outcome for the outputs: the worst status, with every command's outcome in `details`. */
function combine(outcomes: Outcome[]): Outcome {
  if (outcomes.length === 1 && outcomes[0]) return outcomes[0];
  const worst = [...outcomes].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.status) - SEVERITY_ORDER.indexOf(b.status),
  )[0];
  return {
    status: worst?.status ?? 'ignored',
    reason: worst?.reason ?? 'no-command',
    command: outcomes
      .map((outcome) => outcome.command ?? '')
      .filter(Boolean)
      .join(','),
    exitCode: worst?.exitCode,
    message: outcomes
      .map((outcome) => `${outcome.command ? '/' + outcome.command + ': ' : ''}${outcome.message}`)
      .join('; '),
    details: { commands: outcomes },
  };
}
