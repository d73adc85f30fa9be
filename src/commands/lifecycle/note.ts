import { z } from 'zod';
import { defineCommand } from '../define.ts';
import { defineFact } from '../../records/fact.ts';
import { renderNote } from '../../report/lifecycle.ts';
import { done, factBy, LIFECYCLE_PERMISSION } from './common.ts';

/** A responder's note: on the timeline (and so in the postmortem), without restarting any clock. */
export const noted = defineFact('note', { text: z.string().max(4000) }, (_next, fact, { log, responder }) => {
  responder(fact.by);
  log(fact.by, 'Note', fact.text);
});

export const note = defineCommand({
  name: 'note',
  reason: '/note recorded',
  description: 'Add a note to the timeline (a finding, a decision, a hand-over)',
  permission: LIFECYCLE_PERMISSION,
  text: { name: 'text', description: 'What to note', required: true, maxLength: 2000 },
  facts: [noted],
  handle(input) {
    return done('note', 'note added to the timeline', [
      {
        kind: 'record',
        text: renderNote({ by: input.actor, text: input.args.text }),
        record: noted.record({ ...factBy(input), text: input.args.text }),
      },
    ]);
  },
});
