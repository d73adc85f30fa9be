import { defineCommand } from '../define.ts';
import { defineFact } from '../../records/fact.ts';
import { renderAcknowledged } from '../../report/lifecycle.ts';
import { utc } from '../../report/markdown.ts';
import { done, factBy, LIFECYCLE_PERMISSION, notDone, sinceDeclared } from './common.ts';

export const acknowledged = defineFact('acknowledged', {}, (next, fact, { at, log, responder }) => {
  if (!next.acknowledgedAt) {
    next.acknowledgedAt = at;
    next.acknowledgedBy = fact.by;
    log(fact.by, 'Acknowledged');
  }
  responder(fact.by);
});

export const ack = defineCommand({
  name: 'ack',
  reason: '/ack recorded',
  description: 'Acknowledge the incident',
  permission: LIFECYCLE_PERMISSION,
  facts: [acknowledged],
  handle(input) {
    const { incident, sla } = input.snapshot;
    if (incident.acknowledgedAt)
      return notDone(
        'ack',
        '/ack',
        `Already acknowledged by @${incident.acknowledgedBy} at ${utc(incident.acknowledgedAt)}.`,
      );
    const since = sinceDeclared(input);
    return done('ack', `acknowledged by @${input.actor} after ${since}`, [
      {
        kind: 'reply',
        text: renderAcknowledged({ by: input.actor, since, due: sla?.acknowledge.due, now: input.now }),
        record: acknowledged.record(factBy(input)),
      },
    ]);
  },
});
