import type { Fact } from './facts.ts';

export type Phase = 'investigating' | 'mitigated' | 'resolved';

export interface TimelineEntry {
  at: Date;
  actor: string;
  /** What happened, in the action's words. */
  event: string;
  /** Text someone wrote (an update, a note): shown echoed, never as Markdown. */
  detail?: string;
  url?: string;
}

/** The kinds of change stakeholders are told about outside GitHub. */
export type ChangeEvent =
  'declared' | 'severity' | 'commander' | 'update' | 'mitigated' | 'resolved' | 'reopened';

/**
 * A change stakeholders hear about: derived from recorded facts only, so every run computes the
 * same list and a notifier can tell which ones it has delivered by their `key`.
 */
export interface Change {
  /** Stable across runs: the event and how many changes of its kind came before (`update:2`). */
  key: string;
  event: ChangeEvent;
  at: Date;
  by: string;
  /** What the change says: the new severity or commander, the update's text, a summary. */
  text?: string;
}

export interface CommandRecord {
  command: string;
  status: string;
  by: string;
  /** Who confirmed it, for a destructive command held for confirmation. */
  confirmedBy?: string | undefined;
  at: Date;
  url: string;
  /** What a diagnostic command found ("step: finding", in the host's words), and how many in all. */
  findings?: string[];
  findingCount?: number;
}

export interface Incident {
  severity: string | undefined;
  declaredAt: Date | undefined;
  declaredBy: string | undefined;
  impactStartAt: Date | undefined;
  acknowledgedAt: Date | undefined;
  acknowledgedBy: string | undefined;
  commander: string | undefined;
  /** Everyone who acted on the incident, in the order they first did. */
  responders: string[];
  phase: Phase;
  mitigatedAt: Date | undefined;
  resolvedAt: Date | undefined;
  resolvedBy: string | undefined;
  resolutionSummary: string | undefined;
  forcedResolution: boolean;
  closedByHand: boolean;
  updates: { at: Date; by: string; text: string }[];
  lastReminderAt: Date | undefined;
  escalatedAt: Date | undefined;
  breaches: { kind: 'acknowledge' | 'update'; at: Date }[];
  commands: CommandRecord[];
  timeline: TimelineEntry[];
  postmortem: { at: Date; url: string; followUp: number | undefined } | undefined;
  /** What the verification at /resolve proved: each step, the metrics as a whole, its result comment. */
  verified:
    | {
        checks: { name: string; ok: boolean }[];
        metrics: 'within' | 'outside' | 'partial' | 'unread' | undefined;
        result: string | undefined;
      }
    | undefined;
  /** The review issue, kept when the incident is reopened so a new resolution reuses it. */
  followUp: number | undefined;
  /** The Alertmanager group that opened the incident, as its notifications last described it. */
  alert: AlertState | undefined;
  /** What stakeholders are told about, oldest first (see notify/ledger.ts). */
  changes: Change[];
  /** Emergency contacts paged, oldest first: at the declaration (`auto`) or with `/page`. */
  pages: Page[];
  silence: SilenceState | undefined;
  /** What `/status-page` told the public, oldest first (only this is ever published). */
  publicUpdates: PublicUpdate[];
}

export const PUBLIC_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type PublicState = (typeof PUBLIC_STATES)[number];

export interface PublicUpdate {
  at: Date;
  by: string;
  state: PublicState;
  text: string;
  /** Whether the page took it (a failed publication is retried by the next update). */
  published: boolean;
  url: string;
}

export interface Page {
  at: Date;
  by: string;
  /** The runbook's contact role (`dba`) and its name (`Database Administrator`). */
  role: string;
  name: string;
  mentions: string[];
  auto: boolean;
}

export interface AlertState {
  /** the group's id (a hash of its groupKey) */
  group: string;
  receiver: string;
  status: 'firing' | 'resolved';
  /** alert names in the group, with how many of its alerts fire */
  names: string[];
  firing: number;
  total: number;
  /** notifications received for the group while this incident was open */
  notifications: number;
  firstSeen: Date;
  lastSeen: Date;
  startsAt: Date;
  summary: string | undefined;
  generatorUrl: string | undefined;
  externalUrl: string | undefined;
  /** the earlier incident of the same group, when this one was opened after it closed */
  previous: number | undefined;
  /** the group's labels, exactly, when every one can be matched (what a silence matches) */
  matchers: Record<string, string> | undefined;
  url: string;
}

/** The Alertmanager silence `/ack` created for the incident's alert group. */
export interface SilenceState {
  id: string;
  at: Date;
  by: string;
  until: Date;
  /** Alertmanager's page of the silence, when its external URL is known. */
  url: string | undefined;
  /** Set when the resolution expired it (or tried to: `error` says why not). */
  expiredAt: Date | undefined;
  expireError: string | undefined;
}

export function emptyIncident(): Incident {
  return {
    severity: undefined,
    declaredAt: undefined,
    declaredBy: undefined,
    impactStartAt: undefined,
    acknowledgedAt: undefined,
    acknowledgedBy: undefined,
    commander: undefined,
    responders: [],
    phase: 'investigating',
    mitigatedAt: undefined,
    resolvedAt: undefined,
    resolvedBy: undefined,
    resolutionSummary: undefined,
    forcedResolution: false,
    closedByHand: false,
    updates: [],
    lastReminderAt: undefined,
    escalatedAt: undefined,
    breaches: [],
    commands: [],
    timeline: [],
    postmortem: undefined,
    followUp: undefined,
    verified: undefined,
    alert: undefined,
    changes: [],
    pages: [],
    silence: undefined,
    publicUpdates: [],
  };
}

/** The incident as the facts describe it. Pure: the same facts always give the same incident. */
export function reduceIncident(facts: Fact[]): Incident {
  const incident = facts.reduce(apply, emptyIncident());
  // Entries recorded later than they happened (an offline journal replayed) take their place in
  // time; the sort is stable, so entries of the same second keep their order.
  incident.timeline.sort((a, b) => a.at.getTime() - b.at.getTime());
  incident.changes.sort((a, b) => a.at.getTime() - b.at.getTime());
  return incident;
}

function apply(incident: Incident, fact: Fact): Incident {
  const next: Incident = { ...incident, timeline: [...incident.timeline] };
  const log = (actor: string, event: string, url?: string, detail?: string, at?: Date) =>
    next.timeline.push({
      at: at ?? fact.at,
      actor,
      event,
      ...(url ? { url } : {}),
      ...(detail ? { detail } : {}),
    });
  const responder = (login: string) => {
    if (login && !next.responders.includes(login)) next.responders = [...next.responders, login];
  };
  const announce = (event: ChangeEvent, by: string, text?: string) => {
    // The n-th change of its kind: the same in every run, even when a run saw a label before
    // GitHub's event list did (and dated it by its own clock).
    const rank = next.changes.filter((change) => change.event === event).length;
    next.changes = [
      ...next.changes,
      { key: `${event}:${rank}`, event, at: fact.at, by, ...(text ? { text } : {}) },
    ];
  };

  switch (fact.kind) {
    case 'labeled':
      if (!next.declaredAt) {
        next.declaredAt = fact.at;
        next.declaredBy = fact.actor;
        next.severity = fact.severity;
        log(fact.actor, `Declared ${fact.severity.toUpperCase()}`);
        announce('declared', fact.actor, fact.severity);
      } else if (fact.severity !== next.severity) {
        log(fact.actor, `Severity ${next.severity?.toUpperCase()} → ${fact.severity.toUpperCase()}`);
        announce('severity', fact.actor, fact.severity);
        next.severity = fact.severity;
      }
      return next;
    case 'unlabeled':
      return next;
    case 'closed':
      if (next.phase !== 'resolved') {
        next.phase = 'resolved';
        next.resolvedAt = fact.at;
        next.resolvedBy = fact.actor;
        next.closedByHand = true;
        log(fact.actor, 'Closed the issue by hand: resolved without verification');
        announce('resolved', fact.actor, 'closed by hand, without verification');
      } else {
        log(fact.actor, 'Issue closed');
      }
      return next;
    case 'reopened':
      next.phase = next.mitigatedAt ? 'mitigated' : 'investigating';
      next.resolvedAt = undefined;
      next.resolvedBy = undefined;
      next.closedByHand = false;
      next.forcedResolution = false;
      next.postmortem = undefined;
      next.verified = undefined;
      log(fact.actor, 'Reopened: the incident resumes');
      announce('reopened', fact.actor);
      return next;
    case 'command':
      next.commands = [
        ...next.commands,
        {
          command: fact.command,
          status: fact.status,
          by: fact.by,
          confirmedBy: fact.confirmedBy,
          at: fact.at,
          url: fact.url,
          ...(fact.findings.length > 0 ? { findings: fact.findings, findingCount: fact.findingCount } : {}),
        },
      ];
      responder(fact.by);
      if (fact.confirmedBy) {
        responder(fact.confirmedBy);
        // The confirmation is its own event, by its own person.
        log(
          fact.confirmedBy,
          `Confirmed \`/${fact.command}\`, asked for by @${fact.by || 'unknown'}`,
          fact.confirmUrl ?? fact.url,
        );
      }
      log(
        fact.by || 'unknown',
        `Ran \`/${fact.command}\`${fact.confirmedBy ? ` (confirmed by @${fact.confirmedBy})` : ''}: ${commandOutcome(fact.status, fact.findingCount)}`,
        fact.url,
        fact.findings[0],
      );
      return next;
    case 'plan':
      responder(fact.by);
      log(fact.by, `Asked for \`/${fact.command}\`: destructive, held for confirmation`, fact.url);
      if (fact.expired)
        log(
          fact.expired.by,
          `Nobody confirmed \`/${fact.command}\` before its code expired: nothing ran`,
          fact.url,
          undefined,
          fact.expired.at,
        );
      return next;
    case 'record':
      return applyRecord(next, fact, log);
    case 'fact':
      fact.definition.apply(next, fact.record, {
        at: fact.at,
        url: fact.url,
        log: (actor, event, detail, at) => log(actor, event, fact.url, detail, at),
        responder,
        announce,
      });
      return next;
  }
}

function applyRecord(
  next: Incident,
  fact: Extract<Fact, { kind: 'record' }>,
  log: (actor: string, event: string, url?: string, detail?: string) => void,
): Incident {
  const { record } = fact;
  switch (record.kind) {
    case 'reminder':
      next.lastReminderAt = fact.at;
      next.breaches = [...next.breaches, { kind: 'update', at: fact.at }];
      log(record.by, 'Missed status update: reminder sent', fact.url);
      return next;
    case 'escalation':
      next.escalatedAt = fact.at;
      next.breaches = [...next.breaches, { kind: 'acknowledge', at: fact.at }];
      log(record.by, 'Not acknowledged in time: escalated', fact.url);
      return next;
    case 'postmortem':
      next.postmortem = { at: fact.at, url: fact.url, followUp: record.followUp };
      next.followUp = record.followUp;
      log(
        record.by,
        record.followUp
          ? `Postmortem posted; review in #${record.followUp}`
          : 'Postmortem posted; no review issue',
        fact.url,
      );
      if (record.silence && next.silence?.id === record.silence.id) {
        next.silence = {
          ...next.silence,
          expiredAt: record.silence.expired ? fact.at : undefined,
          expireError: record.silence.expired ? undefined : record.silence.error,
        };
        log(
          record.by,
          record.silence.expired
            ? 'Expired the Alertmanager silence: the alert group pages again'
            : 'Could not expire the Alertmanager silence',
          fact.url,
          record.silence.error,
        );
      }
      return next;
  }
}

/** A command's outcome in words: a diagnosis reports what it found, never a success or failure for it. */
export function commandOutcome(status: string, findings: number): string {
  if (status === 'findings') return `${findings} finding${findings === 1 ? '' : 's'}`;
  return status;
}
