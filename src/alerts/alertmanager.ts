import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Runbook } from '../config/runbook.schema.ts';

/**
 * Alertmanager's webhook body (version 4), as its relay forwards it unchanged inside a
 * `repository_dispatch` event (`client_payload.alertmanager`). Its labels and annotations come
 * from the monitored system and Prometheus's rules: shown as text, never as Markdown.
 */
/** Text longer than `max` is cut, never refused: a long description must not lose the alert. */
const cut = (max: number) =>
  z.string().transform((text) => (text.length > max ? `${text.slice(0, max)}…` : text));
const labels = z.record(z.string().max(200), cut(2000)).default({});
/** RFC 3339 as Alertmanager writes it (nanoseconds, Z or an offset), in this era. */
const time = z.iso
  .datetime({ offset: true })
  .refine((text) => Date.parse(text) >= Date.UTC(2000, 0, 1), 'a time after 2000');

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels,
  startsAt: time,
  endsAt: z.string().max(64).optional(),
  generatorURL: cut(4000).default(''),
  fingerprint: z.string().max(64).default(''),
});

export const notificationSchema = z.object({
  version: z.literal('4', { message: 'only the version 4 webhook body is understood' }),
  groupKey: z.string().min(1).max(4000),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(200),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: labels,
  externalURL: cut(2000).default(''),
  alerts: z.array(alertSchema).min(1).max(10_000),
});

export type AlertNotification = z.infer<typeof notificationSchema>;
export type Alert = z.infer<typeof alertSchema>;

/** What the relay puts in `client_payload`: the body, unchanged, under one key. */
export const dispatchPayloadSchema = z.object({ alertmanager: z.unknown() });

/** The stable name for an alert group: part of a hash of Alertmanager's groupKey. */
export function groupId(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex').slice(0, 16);
}

/**
 * Why a groupKey cannot name an incident, if it cannot: a route without `group_by` puts every
 * alert it receives in one group (`{}:{}`), which would make every alert one incident.
 */
export function uselessGroupKey(groupKey: string): string | undefined {
  return /:\{\}$/.test(groupKey)
    ? `Alertmanager grouped this notification by no label (groupKey ${JSON.stringify(groupKey.slice(0, 200))}): every alert of its route would become one incident. Set group_by: [alertname] (or more labels) on the route that sends to this receiver.`
    : undefined;
}

/** The severity the runbook's alert routes give one alert, if any. First match wins. */
export function severityOfAlert(alert: Pick<Alert, 'labels'>, runbook: Runbook): string | undefined {
  const alerts = runbook.alerts;
  if (!alerts) return undefined;
  const route = alerts.routes.find((candidate) =>
    Object.entries(candidate.match).every(([name, wanted]) => {
      const value = alert.labels[name];
      return value !== undefined && [wanted].flat().includes(value);
    }),
  );
  return route?.severity ?? alerts['default-severity'];
}

/** p0 is the most severe. */
function rank(severity: string): number {
  return Number(severity.slice(1));
}

export interface GroupSeverity {
  severity: string | undefined;
  /** alert names no route maps (and no default takes) */
  unmapped: string[];
}

/** The group's severity: the most severe of its firing alerts (all alerts when none fires). */
export function severityOfGroup(notification: AlertNotification, runbook: Runbook): GroupSeverity {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  const considered = firing.length > 0 ? firing : notification.alerts;
  const unmapped: string[] = [];
  let severity: string | undefined;
  for (const alert of considered) {
    const mapped = severityOfAlert(alert, runbook);
    if (!mapped) unmapped.push(alertName(alert));
    else if (severity === undefined || rank(mapped) < rank(severity)) severity = mapped;
  }
  return { severity, unmapped: [...new Set(unmapped)] };
}

export function alertName(alert: Pick<Alert, 'labels'>): string {
  return alert.labels.alertname ?? '(no alertname)';
}

/** The alert names of a group, each once, in order. */
export function alertNames(notification: AlertNotification): string[] {
  return [...new Set(notification.alerts.map(alertName))];
}

/** When the group's trouble began: the earliest startsAt of its alerts. */
export function groupStartedAt(notification: AlertNotification): Date {
  return new Date(Math.min(...notification.alerts.map((alert) => Date.parse(alert.startsAt))));
}

/** The marker in an alert incident's issue body that names its group (confirmed by a sealed record). */
export function groupMarker(group: string): string {
  return `<!-- incident-issueops alert-group ${group} -->`;
}

/** The marker the action put last in the body; one inside the text above it counts for nothing. */
export function markedGroup(body: string | undefined): string | undefined {
  return /<!-- incident-issueops alert-group ([0-9a-f]{16}) -->\s*$/.exec(body ?? '')?.[1];
}
