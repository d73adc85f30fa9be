import { z } from 'zod';
import { defineFact } from '../records/fact.ts';

const iso = z.iso.datetime();
const text = (max: number) => z.string().max(max);

/**
 * The alert group behind the incident: recorded once, on the comment that opened the incident,
 * and that comment's record rewritten (re-sealed) on each later notification of the group, so a
 * repeat updates the board and posts nothing.
 */
export const alertGroup = defineFact(
  'alert',
  {
    group: z.string().regex(/^[0-9a-f]{16}$/),
    receiver: text(200),
    status: z.enum(['firing', 'resolved']),
    names: z.array(text(200)).max(50),
    firing: z.number().int().min(0),
    total: z.number().int().min(0),
    notifications: z.number().int().min(1),
    firstSeen: iso,
    lastSeen: iso,
    startsAt: iso,
    summary: text(500).optional(),
    generatorUrl: text(2000).optional(),
    externalUrl: text(2000).optional(),
    previous: z.number().int().positive().optional(),
    /** The group's labels, exactly: what a silence of the group matches. */
    matchers: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().min(1).max(1000)).optional(),
  },
  (next, fact, { log, url }) => {
    const startsAt = new Date(fact.startsAt);
    next.alert = {
      group: fact.group,
      receiver: fact.receiver,
      status: fact.status,
      names: fact.names,
      firing: fact.firing,
      total: fact.total,
      notifications: fact.notifications,
      firstSeen: new Date(fact.firstSeen),
      lastSeen: new Date(fact.lastSeen),
      startsAt,
      summary: fact.summary,
      generatorUrl: fact.generatorUrl,
      externalUrl: fact.externalUrl,
      previous: fact.previous,
      matchers: fact.matchers,
      url,
    };
    // The impact began when the alert started firing, not when the issue was opened.
    if (!next.impactStartAt || startsAt < next.impactStartAt) next.impactStartAt = startsAt;
    log(
      fact.by,
      `Alertmanager: ${fact.names.join(', ')} firing since ${fact.startsAt.replace(/\.\d+Z$/, 'Z')}: opened the incident${fact.previous ? ` (again: #${fact.previous} was the last one)` : ''}`,
    );
  },
);

/** Alertmanager says the group resolved: on the timeline, with the proposal to mitigate. */
export const alertResolved = defineFact(
  'alert-resolved',
  { group: z.string().regex(/^[0-9a-f]{16}$/), resolvedAt: iso },
  (next, fact, { log }) => {
    log(fact.by, 'Alertmanager: every alert of the group resolved');
  },
);

/** The group fired again after its incident was closed, within the flap window: reopened. */
export const alertRefired = defineFact(
  'alert-refired',
  { group: z.string().regex(/^[0-9a-f]{16}$/), closedFor: z.number().int().min(0) },
  (next, fact, { log }) => {
    log(
      fact.by,
      `Alertmanager: the group fired again ${Math.round(fact.closedFor / 60)} min after the close: reopened`,
    );
  },
);

export const ALERT_FACTS = [alertGroup, alertResolved, alertRefired] as const;
