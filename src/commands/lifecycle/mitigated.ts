import { z } from 'zod';
import { defineCommand } from '../define.ts';
import { defineFact } from '../../records/fact.ts';
import { renderMitigated } from '../../report/lifecycle.ts';
import { done, factBy, LIFECYCLE_PERMISSION, notDone, sinceDeclared } from './common.ts';

export const mitigatedFact = defineFact(
  'mitigated',
  { note: z.string().max(4000).optional() },
  (next, fact, { at, log, responder, announce }) => {
    if (!next.mitigatedAt) announce('mitigated', fact.by, fact.note);
    if (!next.mitigatedAt) next.mitigatedAt = at;
    if (next.phase === 'investigating') next.phase = 'mitigated';
    responder(fact.by);
    log(fact.by, 'Mitigated', fact.note);
  },
);

export const mitigated = defineCommand({
  name: 'mitigated',
  reason: '/mitigated recorded',
  description: 'Mark the impact as mitigated',
  permission: LIFECYCLE_PERMISSION,
  text: { name: 'note', description: 'What mitigated it', required: false, maxLength: 2000 },
  facts: [mitigatedFact],
  handle(input) {
    const { incident, sla } = input.snapshot;
    if (incident.phase !== 'investigating')
      return notDone('mitigated', '/mitigated', `The incident is already ${incident.phase}.`);
    const note = input.args.note;
    return done('mitigated', 'mitigated', [
      {
        kind: 'record',
        text: renderMitigated({
          by: input.actor,
          since: sinceDeclared(input),
          due: sla?.respond.due,
          now: input.now,
          note,
        }),
        record: mitigatedFact.record({ ...factBy(input), ...(note ? { note } : {}) }),
      },
    ]);
  },
});
