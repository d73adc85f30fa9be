import {
  alertName,
  alertNames,
  groupId,
  groupMarker,
  groupStartedAt,
  markedGroup,
  severityOfGroup,
  uselessGroupKey,
  type AlertNotification,
} from '../alerts/alertmanager.ts';
import { alertGroup, alertRefired, alertResolved } from '../alerts/facts.ts';
import { formatDuration } from '../config/duration.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import type { IssueSummary } from '../github/port.ts';
import type { Outcome } from '../outcome.ts';
import { textOf } from '../records/codec.ts';
import { echo, utc } from '../report/markdown.ts';
import { loadRunbook } from '../runbook/load.ts';
import type { Dependencies } from './dependencies.ts';
import { incidentContext } from './finalize.ts';
import { pageAtDeclaration } from './page.ts';
import { loadIncident, publishBoard, type IncidentSnapshot } from './incident.ts';

/** How far back a closed incident of the same group is looked for, to link it. */
const PREVIOUS_LOOKBACK_MS = 90 * 24 * 3600_000;
/** Alerts listed in the comment that opened the incident (the board counts them all). */
const LISTED_ALERTS = 10;

/** The label every alert-opened incident carries besides its severity: how the action finds them. */
export function alertLabel(labelPrefix: string): string {
  return `${labelPrefix}alert`;
}

/**
 * An Alertmanager notification, forwarded by the relay. One incident per alert group: the first
 * firing notification opens it, later ones update its board and post nothing; `resolved` goes on
 * the timeline with the proposal to mitigate; a group firing again soon after its incident closed
 * reopens it (the runbook's flap window), later it opens a new incident that links the old one.
 *
 * The group's issue is found by listing the open (and recently closed) issues that carry the
 * alert label, not by search: GitHub's search index lags behind, and a repeat must never open a
 * second issue. The marker in the issue's body only points; the sealed record confirms.
 */
export async function receiveAlert(notification: AlertNotification, deps: Dependencies): Promise<Outcome> {
  const useless = uselessGroupKey(notification.groupKey);
  if (useless) {
    deps.warn(useless);
    // Alertmanager was told 200 by the relay: the run fails, so that someone sees the alert was lost.
    return { status: 'error', reason: 'alert-ungrouped', message: useless };
  }
  const loaded = await loadRunbook(deps.settings.runbookPath, 'on the default branch', deps.github.readFile);
  if (!loaded.ok) {
    const message = `the runbook ${loaded.source} does not load, so the alert opens no incident:\n${loaded.errors.join('\n')}`;
    deps.warn(message);
    return { status: 'error', reason: 'invalid-runbook', message };
  }
  const runbook = loaded.runbook;
  if (!runbook.alerts) {
    const message = `the runbook ${loaded.source} has no alerts: section, so no alert opens an incident; add routes that map alert labels to severities`;
    deps.warn(message);
    return { status: 'error', reason: 'alert-no-routes', message };
  }
  const group = groupId(notification.groupKey);
  const label = alertLabel(deps.settings.labelPrefix);
  const context = incidentContext(deps, runbook);

  for (const issue of await deps.github.listOpenIssues(label)) {
    if (markedGroup(issue.body) !== group) continue;
    const snapshot = await loadIncident(issue, context);
    if (snapshot.incident.alert?.group !== group) {
      deps.warn(
        `issue #${issue.number} names alert group ${group} in its body but holds no record of it: ignored`,
      );
      continue;
    }
    return notification.status === 'firing'
      ? refresh(issue, snapshot, notification, runbook, deps)
      : resolved(issue, snapshot, notification, runbook, deps);
  }
  if (notification.status === 'resolved') {
    const message = `the alert group ${listed(alertNames(notification))} resolved, and no open incident tracks it`;
    deps.log(message);
    return { status: 'ignored', reason: 'alert-unknown-group', message };
  }

  const now = deps.now();
  const window = runbook.alerts['flap-window'] * 1000;
  const closed = (
    await deps.github.listClosedIssuesSince(
      label,
      new Date(now.getTime() - Math.max(window, PREVIOUS_LOOKBACK_MS)),
    )
  )
    .filter((issue) => markedGroup(issue.body) === group && issue.closedAt && issue.author === deps.selfLogin)
    .sort((a, b) => Date.parse(b.closedAt ?? '') - Date.parse(a.closedAt ?? ''));
  // The latest closed incident whose sealed record names the group (a copied marker names none).
  for (const candidate of closed.slice(0, 5)) {
    const snapshot = await loadIncident(candidate, context);
    if (snapshot.incident.alert?.group !== group) continue;
    if (now.getTime() - Date.parse(candidate.closedAt ?? '') <= window)
      return reopen(candidate, snapshot, notification, runbook, deps);
    return open(notification, group, runbook, candidate.number, deps);
  }
  return open(notification, group, runbook, undefined, deps);
}

/** The record of the group as this notification describes it. */
function groupRecord(
  notification: AlertNotification,
  group: string,
  deps: Dependencies,
  earlier: { firstSeen: Date; notifications: number; previous: number | undefined } | undefined,
) {
  const now = deps.now().toISOString();
  const generator = notification.alerts.find((alert) => alert.generatorURL)?.generatorURL;
  const summary = notification.commonAnnotations.summary ?? notification.alerts[0]?.annotations.summary;
  return alertGroup.record({
    group,
    receiver: notification.receiver,
    status: notification.status,
    names: alertNames(notification).slice(0, 50),
    firing: notification.alerts.filter((alert) => alert.status === 'firing').length,
    total: notification.alerts.length + notification.truncatedAlerts,
    notifications: (earlier?.notifications ?? 0) + 1,
    firstSeen: earlier?.firstSeen.toISOString() ?? now,
    lastSeen: now,
    // A clock ahead of ours cannot put the impact in the future.
    startsAt: new Date(Math.min(groupStartedAt(notification).getTime(), deps.now().getTime())).toISOString(),
    ...(summary ? { summary: summary.slice(0, 500) } : {}),
    ...(generator ? { generatorUrl: generator } : {}),
    ...(notification.externalURL ? { externalUrl: notification.externalURL } : {}),
    ...(earlier?.previous ? { previous: earlier.previous } : {}),
    ...silenceMatchers(notification),
    by: deps.selfLogin,
    at: earlier?.firstSeen.toISOString() ?? now,
  });
}

/**
 * What a silence of the group matches: the labels every alert of the group shares (its group
 * labels and the rest of the common ones: job, instance …), so that it mutes this group's
 * alerts and not every team's alert of the same name. Every group label must be usable as it is
 * (a valid name, a value that was not cut), else nothing is silenced; a common label that is not
 * usable is left out.
 */
function silenceMatchers(notification: AlertNotification): { matchers?: Record<string, string> } {
  const usable = ([name, value]: [string, string]) =>
    /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && value.length > 0 && value.length <= 1000;
  const group = Object.entries(notification.groupLabels);
  if (group.length === 0 || !group.every(usable)) return {};
  const names = new Set(group.map(([name]) => name));
  const common = Object.entries(notification.commonLabels).filter(
    (entry) => usable(entry) && !names.has(entry[0]),
  );
  // The group's labels first: a silence never matches more than its group.
  return { matchers: Object.fromEntries([...group, ...common].slice(0, 20)) };
}

/** The comment that opened the incident: what fired, shown as text. */
function openingText(
  notification: AlertNotification,
  severity: string,
  previous: number | undefined,
): string {
  const alerts = notification.alerts.slice(0, LISTED_ALERTS).map((alert) => {
    const labels = Object.entries(alert.labels)
      .filter(([name]) => name !== 'alertname')
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    const description = alert.annotations.description ?? alert.annotations.summary;
    return `- ${alert.status === 'firing' ? '🔥' : '✅'} ${echo(alertName(alert), 100)} since ${utc(new Date(alert.startsAt))}${labels ? ` ${echo(labels, 300)}` : ''}${description ? `\n  ${echo(description, 500)}` : ''}`;
  });
  const more = notification.alerts.length + notification.truncatedAlerts - alerts.length;
  return [
    `🚨 **Alertmanager opened this incident** at ${severity.toUpperCase()} (the runbook's \`alerts:\` routes): ${alertNames(
      notification,
    )
      .map((name) => echo(name, 100))
      .join(
        ', ',
      )}, firing since ${utc(groupStartedAt(notification))}.${previous ? ` The same alert group had #${previous}.` : ''}`,
    '',
    ...alerts,
    ...(more > 0 ? [`- … and ${more} more`] : []),
    '',
    'Acknowledge with `/ack`. Later notifications of this group update the board; none posts a comment.',
  ].join('\n');
}

async function open(
  notification: AlertNotification,
  group: string,
  runbook: Runbook,
  previous: number | undefined,
  deps: Dependencies,
): Promise<Outcome> {
  const { severity, unmapped } = severityOfGroup(notification, runbook);
  if (!severity) {
    const message = `no route of the runbook's alerts: section maps ${listed(unmapped)}, and it sets no default-severity: add a route such as { match: { alertname: ${unmapped[0] ?? 'Name'} }, severity: p2 }`;
    deps.warn(message);
    return { status: 'error', reason: 'alert-unmapped', message };
  }
  const names = alertNames(notification);
  // The record is checked before the issue exists: an issue must never be left without it.
  const record = groupRecord(
    notification,
    group,
    deps,
    previous ? { firstSeen: deps.now(), notifications: 0, previous } : undefined,
  );
  const checked = alertGroup.schema.safeParse({ v: 1, ...record });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const message = `the notification cannot be recorded (${issue?.path.join('.')}: ${issue?.message}): no incident opened`;
    deps.warn(message);
    return { status: 'error', reason: 'invalid-payload', message };
  }
  const summary = notification.commonAnnotations.summary ?? notification.alerts[0]?.annotations.summary;
  const title = titleText(`${names.join(', ')}${summary ? `: ${summary}` : ' firing'}`, 200);
  const body = [
    `Opened by Alertmanager (receiver ${echo(notification.receiver, 100)}) through the incident-issueops relay.`,
    '',
    ...(notification.commonAnnotations.description
      ? [echo(notification.commonAnnotations.description, 1000), '']
      : []),
    groupMarker(group),
  ].join('\n');
  const labels = [`${deps.settings.labelPrefix}${severity}`, alertLabel(deps.settings.labelPrefix)];
  const issue = await deps.github.createIssue({ title, body, labels });
  const context = incidentContext(deps, runbook);
  // The board first, so it is the issue's first comment; then the alert's record, then the board again.
  const declared = await loadIncident(issue, context, {
    kind: 'labeled',
    at: deps.now(),
    actor: deps.selfLogin,
    severity,
  });
  // Stakeholders' channel hears of it with the last board write, after the pages.
  await publishBoard(declared, context, { notify: false });
  await deps.writer.post(issue.number, openingText(notification, severity, previous), record);
  await pageAtDeclaration(issue.number, declared, runbook, deps, {
    login: deps.selfLogin,
    as: 'Alertmanager',
  });
  const boardUrl = await publishBoard(await loadIncident(issue, context), context);
  deps.log(
    `Alert group ${group} (${listed(names)}) opened ${severity.toUpperCase()} incident #${issue.number}: ${boardUrl}`,
  );
  return {
    status: 'success',
    reason: 'alert-opened',
    command: 'alert',
    message: `alert group ${listed(names)} opened incident #${issue.number} at ${severity.toUpperCase()}`,
    details: { issue: issue.number, severity, group, ...(previous ? { previous } : {}) },
  };
}

/** The comment holding the group's record: rewritten on each notification. */
function recordComment(snapshot: IncidentSnapshot) {
  return snapshot.records.find((entry) => entry.record.kind === alertGroup.kind)?.comment;
}

async function rewriteRecord(
  issue: IssueSummary,
  snapshot: IncidentSnapshot,
  notification: AlertNotification,
  deps: Dependencies,
): Promise<void> {
  const alert = snapshot.incident.alert;
  const comment = recordComment(snapshot);
  if (!alert || !comment) return;
  const record = groupRecord(notification, alert.group, deps, {
    firstSeen: alert.firstSeen,
    notifications: alert.notifications,
    previous: alert.previous,
  });
  // The comment's text stays as it was posted; its record says what the group is now.
  const text = textOf(comment.body);
  await deps.writer.edit(comment.id, issue.number, text, record);
}

async function refresh(
  issue: IssueSummary,
  snapshot: IncidentSnapshot,
  notification: AlertNotification,
  runbook: Runbook,
  deps: Dependencies,
): Promise<Outcome> {
  await rewriteRecord(issue, snapshot, notification, deps);
  return republished(
    issue,
    runbook,
    deps,
    'alert-updated',
    `alert group ${listed(alertNames(notification))} fired again: board of #${issue.number} updated`,
  );
}

async function resolved(
  issue: IssueSummary,
  snapshot: IncidentSnapshot,
  notification: AlertNotification,
  runbook: Runbook,
  deps: Dependencies,
): Promise<Outcome> {
  const wasFiring = snapshot.incident.alert?.status === 'firing';
  await rewriteRecord(issue, snapshot, notification, deps);
  if (wasFiring) {
    const mitigated = snapshot.incident.phase !== 'investigating';
    await deps.writer.post(
      issue.number,
      `✅ **Alertmanager: the alert group resolved** (${alertNames(notification)
        .map((name) => echo(name, 100))
        .join(', ')}, ${utc(deps.now())}). Nothing closes on its own: ${
        mitigated
          ? 'when the service has held, `/resolve` verifies it and closes the incident.'
          : 'if the service is healthy, `/mitigated`; then `/resolve` verifies it and closes the incident.'
      }`,
      alertResolved.record({
        group: snapshot.incident.alert?.group ?? '',
        resolvedAt: deps.now().toISOString(),
        by: deps.selfLogin,
        at: deps.now().toISOString(),
      }),
    );
  }
  return republished(
    issue,
    runbook,
    deps,
    'alert-resolved',
    `alert group ${listed(alertNames(notification))} resolved: recorded on #${issue.number}`,
  );
}

async function reopen(
  issue: IssueSummary,
  snapshot: IncidentSnapshot,
  notification: AlertNotification,
  runbook: Runbook,
  deps: Dependencies,
): Promise<Outcome> {
  const closedFor = Math.max(0, Math.round((deps.now().getTime() - Date.parse(issue.closedAt ?? '')) / 1000));
  await deps.github.reopenIssue(issue.number);
  await rewriteRecord(issue, snapshot, notification, deps);
  await deps.writer.post(
    issue.number,
    `🔁 **The alert fired again** ${formatDuration(closedFor)} after this incident was closed, within the runbook's flap window (${formatDuration(runbook.alerts?.['flap-window'] ?? 0)}): the incident is reopened. \`/ack\` it again.`,
    alertRefired.record({
      group: snapshot.incident.alert?.group ?? '',
      closedFor,
      by: deps.selfLogin,
      at: deps.now().toISOString(),
    }),
  );
  return republished(
    issue,
    runbook,
    deps,
    'alert-reopened',
    `alert group ${listed(alertNames(notification))} fired again: #${issue.number} reopened`,
  );
}

/** Alert names for a message: the first few, and how many more. */
function listed(names: string[]): string {
  const shown = names.slice(0, 5).map((name) => JSON.stringify(name.slice(0, 100)));
  return `${shown.join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
}

/** An issue title from alert text: no control or invisible characters, cut by code points. */
function titleText(text: string, max: number): string {
  const clean = [
    ...text
      .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  ];
  return clean.length > max ? `${clean.slice(0, max - 1).join('')}…` : clean.join('');
}

/** The board again, from what the issue now records; the run's outcome. */
async function republished(
  issue: IssueSummary,
  runbook: Runbook,
  deps: Dependencies,
  reason: 'alert-updated' | 'alert-resolved' | 'alert-reopened',
  message: string,
): Promise<Outcome> {
  const context = incidentContext(deps, runbook);
  await publishBoard(await loadIncident(issue, context), context);
  return { status: 'success', reason, command: 'alert', message, details: { issue: issue.number } };
}
