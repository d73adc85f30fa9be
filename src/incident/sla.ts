import type { Severity } from '../config/runbook.schema.ts';
import type { Incident } from './state.ts';

export interface Target {
  /** When it is due. */
  due: Date;
  /** When it was met, if it was. */
  metAt: Date | undefined;
  /** Met late, or not met and already past due. */
  breached: boolean;
}

export interface SlaAssessment {
  acknowledge: Target;
  /** Mitigation, held to the severity's response time. */
  respond: Target;
  /** When the next status update is due, for severities with an update cadence. */
  nextUpdateDue: Date | undefined;
  updateOverdue: boolean;
  /** A reminder is due now: overdue and none sent since the last update or reminder. */
  reminderDue: boolean;
  /** An escalation is due now: not acknowledged in time and not escalated yet. */
  escalationDue: boolean;
}

function target(due: Date, metAt: Date | undefined, now: Date): Target {
  return { due, metAt, breached: metAt ? metAt > due : now > due };
}

/** Where the incident stands against its severity's targets at `now`. Pure. */
export function assessTargets(incident: Incident, severity: Severity, now: Date): SlaAssessment | undefined {
  if (!incident.declaredAt) return undefined;
  const start = incident.declaredAt.getTime();
  const acknowledge = target(
    new Date(start + severity['acknowledge-within'] * 1000),
    incident.acknowledgedAt,
    now,
  );
  const respond = target(new Date(start + severity['respond-within'] * 1000), incident.mitigatedAt, now);
  const active = incident.phase !== 'resolved';
  const cadence = severity['update-every'];
  let nextUpdateDue: Date | undefined;
  let reminderDue = false;
  if (cadence && active) {
    const lastUpdate = incident.updates.at(-1)?.at ?? incident.declaredAt;
    nextUpdateDue = new Date(lastUpdate.getTime() + cadence * 1000);
    const lastNudge = Math.max(lastUpdate.getTime(), incident.lastReminderAt?.getTime() ?? 0);
    reminderDue = now.getTime() - lastNudge >= cadence * 1000;
  }
  return {
    acknowledge,
    respond,
    nextUpdateDue,
    updateOverdue: nextUpdateDue !== undefined && now > nextUpdateDue,
    reminderDue,
    escalationDue: active && !incident.acknowledgedAt && now > acknowledge.due && !incident.escalatedAt,
  };
}

/** `4 min 10 s`, `1 h 5 min`: durations as a responder reads them. */
export function humanDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return seconds > 0 && minutes < 10 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** A target the incident missed, with when it was due (not when the miss was noticed). */
export interface MissedTarget {
  what: 'acknowledgement' | 'response (mitigation)' | 'status update';
  due: Date;
}

/**
 * Every target missed so far, in the order they fell due: the acknowledgement and the response
 * time from the assessment, and each status update a reminder was sent for, due one cadence after
 * the update (or declaration, or earlier reminder) before it. Pure.
 */
export function missedTargets(incident: Incident, severity: Severity, sla: SlaAssessment): MissedTarget[] {
  const missed: MissedTarget[] = [];
  if (sla.acknowledge.breached) missed.push({ what: 'acknowledgement', due: sla.acknowledge.due });
  if (sla.respond.breached) missed.push({ what: 'response (mitigation)', due: sla.respond.due });
  const cadence = severity['update-every'];
  if (cadence && incident.declaredAt) {
    let lastNudge = incident.declaredAt.getTime();
    for (const breach of incident.breaches.filter((b) => b.kind === 'update')) {
      const lastUpdate =
        incident.updates
          .filter((update) => update.at <= breach.at)
          .at(-1)
          ?.at.getTime() ?? 0;
      const since = Math.max(lastNudge, lastUpdate);
      missed.push({ what: 'status update', due: new Date(since + cadence * 1000) });
      lastNudge = breach.at.getTime();
    }
  }
  return missed.sort((a, b) => a.due.getTime() - b.due.getTime());
}
