import { z } from 'zod';
import { defineCommand } from '../define.ts';
import { defineFact } from '../../records/fact.ts';
import { renderUpdate } from '../../report/lifecycle.ts';
import { done, factBy, LIFECYCLE_PERMISSION } from './common.ts';

export const updated = defineFact(
  'update',
  { text: z.string().max(4000) },
  (next, fact, { at, log, responder, announce }) => {
    next.updates = [...next.updates, { at, by: fact.by, text: fact.text }];
    announce('update', fact.by, fact.text);
    responder(fact.by);
    log(fact.by, 'Status update', fact.text);
  },
);

export const update = defineCommand({
  name: 'update',
  reason: '/update recorded',
  description: 'Post a status update (restarts the update clock)',
  permission: LIFECYCLE_PERMISSION,
  text: { name: 'text', description: 'What changed, what is next', required: true, maxLength: 2000 },
  facts: [updated],
  handle(input) {
    const cadence = input.snapshot.severity?.['update-every'];
    const nextDue = cadence ? new Date(input.now.getTime() + cadence * 1000) : undefined;
    return done('update', 'status update posted', [
      {
        kind: 'record',
        text: renderUpdate({ by: input.actor, text: input.args.text, nextDue }),
        record: updated.record({ ...factBy(input), text: input.args.text }),
      },
    ]);
  },
});
