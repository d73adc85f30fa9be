import type { z } from 'zod';
import { dispatchPayloadSchema, notificationSchema, type AlertNotification } from '../alerts/alertmanager.ts';
import {
  issueCommentEventSchema,
  issuesEventSchema,
  repositoryDispatchEventSchema,
  scheduleEventSchema,
  type IssueCommentEvent,
  type IssuePayload,
  type IssuesEvent,
} from './payload.schema.ts';

/** What a workflow run should do with the event that started it. */
export type Route =
  | { kind: 'declare'; event: IssuesEvent; severity: string }
  | { kind: 'issue-changed'; event: IssuesEvent; change: 'unlabeled' | 'closed' | 'reopened' }
  | { kind: 'comment'; event: IssueCommentEvent }
  /**
   * The event asks for nothing itself, but it is about an open incident: the run still works
   * through the issue's queue, because GitHub may have cancelled the pending run of a command.
   */
  | { kind: 'queue'; issue: IssuePayload; reason: string; trigger?: IssueCommentEvent['comment'] }
  | { kind: 'schedule' }
  /** An Alertmanager notification, forwarded by the relay as `repository_dispatch`. */
  | { kind: 'alert'; notification: AlertNotification; sender: string }
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; reason: string };

export interface RouteOptions {
  labelPrefix: string;
  /** Login of the identity the action posts as; its own comments are never commands. */
  selfLogin: string;
}

export function routeEvent(eventName: string, payload: unknown, options: RouteOptions): Route {
  switch (eventName) {
    case 'issues':
      return parse(issuesEventSchema, payload, eventName, (event) => routeIssues(event, options));
    case 'issue_comment':
      return parse(issueCommentEventSchema, payload, eventName, (event) => routeComment(event, options));
    case 'schedule':
      return parse(scheduleEventSchema, payload, eventName, () => ({ kind: 'schedule' }));
    case 'repository_dispatch':
      return parse(repositoryDispatchEventSchema, payload, eventName, routeDispatch);
    default:
      return { kind: 'ignore', reason: `event "${eventName}" is not one this action handles` };
  }
}

function parse<S extends z.ZodType, R>(
  schema: S,
  payload: unknown,
  eventName: string,
  then: (event: z.infer<S>) => R,
): R | Route {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      kind: 'invalid',
      reason: `the ${eventName} payload is not what GitHub sends: ${first?.path.join('.') || '(root)'}: ${first?.message}`,
    };
  }
  return then(parsed.data);
}

/** `incident:p1` → `p1` when the label carries the configured prefix and a severity key. */
export function severityFromLabel(label: string, labelPrefix: string): string | undefined {
  if (!label.toLowerCase().startsWith(labelPrefix.toLowerCase())) return undefined;
  const key = label.slice(labelPrefix.length).trim().toLowerCase();
  return /^p[0-9]$/.test(key) ? key : undefined;
}

function routeIssues(event: IssuesEvent, options: RouteOptions): Route {
  const where = `issue #${event.issue.number}`;
  if (event.issue.pull_request) return { kind: 'ignore', reason: `${where} is a pull request` };
  const isIncident = event.issue.labels.some((label) => severityFromLabel(label.name, options.labelPrefix));
  switch (event.action) {
    case 'labeled': {
      const label = event.label?.name ?? '';
      const severity = severityFromLabel(label, options.labelPrefix);
      if (!severity) {
        return queueOrIgnore(
          event.issue,
          isIncident,
          `label "${label}" on ${where} is not an ${options.labelPrefix}pN label`,
        );
      }
      return { kind: 'declare', event, severity };
    }
    case 'unlabeled': {
      const label = event.label?.name ?? '';
      if (!severityFromLabel(label, options.labelPrefix)) {
        return queueOrIgnore(
          event.issue,
          isIncident,
          `label "${label}" on ${where} is not an ${options.labelPrefix}pN label`,
        );
      }
      return { kind: 'issue-changed', event, change: 'unlabeled' };
    }
    case 'closed':
    case 'reopened':
      return isIncident
        ? { kind: 'issue-changed', event, change: event.action }
        : { kind: 'ignore', reason: `${where} has no ${options.labelPrefix}pN label` };
    default:
      return queueOrIgnore(event.issue, isIncident, `issues.${event.action} on ${where} needs no action`);
  }
}

function routeComment(event: IssueCommentEvent, options: RouteOptions): Route {
  const where = `comment ${event.comment.id} on issue #${event.issue.number}`;
  if (event.issue.pull_request) return { kind: 'ignore', reason: `${where} is on a pull request` };
  const incident = event.issue.labels.some((label) => severityFromLabel(label.name, options.labelPrefix));
  const author = event.comment.user;
  const human = author.login !== options.selfLogin && author.type !== 'Bot';
  if (event.action !== 'created') {
    // An edit never runs; the queue answers it if the edit added a command nobody handled.
    return queueOrIgnore(
      event.issue,
      incident,
      `${where} was ${event.action}; only new comments are read as commands`,
      event.action === 'edited' && human ? event.comment : undefined,
    );
  }
  if (author.login === options.selfLogin)
    return queueOrIgnore(event.issue, incident, `${where} is the action's own`);
  if (author.type === 'Bot')
    return queueOrIgnore(event.issue, incident, `${where} is by the bot ${author.login}`);
  if (event.issue.state !== 'open') return { kind: 'ignore', reason: `${where} is on a closed issue` };
  if (!incident)
    return { kind: 'ignore', reason: `${where} is on an issue with no ${options.labelPrefix}pN label` };
  return { kind: 'comment', event };
}

/** Events about an open incident still drive its queue; any other is ignored. */
function queueOrIgnore(
  issue: IssuePayload,
  incident: boolean,
  reason: string,
  trigger?: IssueCommentEvent['comment'],
): Route {
  if (!incident || issue.state !== 'open' || issue.pull_request) return { kind: 'ignore', reason };
  return { kind: 'queue', issue, reason, ...(trigger ? { trigger } : {}) };
}

/** Alertmanager's body, as the relay forwards it: `event_type: alertmanager`. */
export const ALERTMANAGER_EVENT_TYPE = 'alertmanager';

function routeDispatch(event: z.infer<typeof repositoryDispatchEventSchema>): Route {
  if (event.action !== ALERTMANAGER_EVENT_TYPE)
    return {
      kind: 'ignore',
      reason: `repository_dispatch "${event.action.slice(0, 100)}" is not one this action handles (it reads "${ALERTMANAGER_EVENT_TYPE}")`,
    };
  const wrapped = dispatchPayloadSchema.safeParse(event.client_payload);
  const notification = wrapped.success ? notificationSchema.safeParse(wrapped.data.alertmanager) : undefined;
  if (!notification?.success) {
    const issue = notification?.error.issues[0];
    return {
      kind: 'invalid',
      reason: notification
        ? `client_payload.alertmanager is not an Alertmanager webhook body (version 4): ${issue?.path.join('.') || '(root)'}: ${issue?.message}`
        : 'client_payload has no "alertmanager" key: the relay forwards the body as client_payload.alertmanager',
    };
  }
  return { kind: 'alert', notification: notification.data, sender: event.sender.login };
}
