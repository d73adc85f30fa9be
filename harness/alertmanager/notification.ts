// Alertmanager's webhook body (version 4) as Alertmanager 0.25 sends it, for tests that do not run
// a real Alertmanager: the fields, their order and their formats follow its template data.
export interface AlertInput {
  alertname: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

export function notification(input: {
  alerts: AlertInput[];
  status?: 'firing' | 'resolved';
  /** by default, grouped by alertname as the runbook's route says */
  groupKey?: string;
  receiver?: string;
  /** by default `{ alertname }` of the first alert */
  groupLabels?: Record<string, string>;
}) {
  const first = input.alerts[0];
  const status =
    input.status ??
    (input.alerts.some((alert) => (alert.status ?? 'firing') === 'firing') ? 'firing' : 'resolved');
  const alerts = input.alerts.map((alert) => {
    const labels = {
      alertname: alert.alertname,
      job: 'slack-kb-agent',
      service: 'slack-kb-agent',
      ...alert.labels,
    };
    const alertStatus = alert.status ?? status;
    return {
      status: alertStatus,
      labels,
      annotations: { summary: `${alert.alertname} summary`, ...alert.annotations },
      startsAt: alert.startsAt ?? '2026-11-26T02:58:30.123456789Z',
      endsAt:
        alert.endsAt ?? (alertStatus === 'resolved' ? '2026-11-26T03:40:00.5Z' : '0001-01-01T00:00:00Z'),
      generatorURL: `http://127.0.0.1:9091/graph?g0.expr=${encodeURIComponent('up == 0')}&g0.tab=1`,
      fingerprint: Buffer.from(JSON.stringify(labels)).toString('hex').slice(0, 16),
    };
  });
  return {
    receiver: input.receiver ?? 'incident-issueops',
    status,
    alerts,
    groupLabels: input.groupLabels ?? { alertname: first?.alertname ?? '' },
    commonLabels: alerts.length === 1 ? alerts[0]?.labels : { job: 'slack-kb-agent' },
    commonAnnotations: alerts.length === 1 ? alerts[0]?.annotations : {},
    externalURL: 'http://127.0.0.1:9093',
    version: '4',
    groupKey: input.groupKey ?? `{}:{alertname="${first?.alertname ?? ''}"}`,
    truncatedAlerts: 0,
  };
}
