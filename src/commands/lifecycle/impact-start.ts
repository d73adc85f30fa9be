import { z } from 'zod';
import { defineCommand, positional } from '../define.ts';
import { parseImpactStart } from '../../incident/time.ts';
import { defineFact } from '../../records/fact.ts';
import { renderImpactStart } from '../../report/lifecycle.ts';
import { echo, utc } from '../../report/markdown.ts';
import { done, factBy, LIFECYCLE_PERMISSION, notDone } from './common.ts';

export const impactStarted = defineFact(
  'impact-start',
  { impactStart: z.iso.datetime() },
  (next, fact, { log }) => {
    next.impactStartAt = new Date(fact.impactStart);
    log(fact.by, `Impact started at ${fact.impactStart}`);
  },
);

export const impactStart = defineCommand({
  name: 'impact-start',
  reason: '/impact-start recorded',
  description: 'Back-date the start of impact',
  permission: LIFECYCLE_PERMISSION,
  args: {
    time: positional({
      description: 'UTC time: 2026-11-26T02:50Z, 02:50 (today) or -25m / -2h (ago)',
      pattern: '^(?:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2})?Z|\\d{2}:\\d{2}|-\\d{1,4}[mh])$',
      maxLength: 20,
      required: true,
    }),
  },
  facts: [impactStarted],
  handle(input) {
    const at = parseImpactStart(input.args.time, input.now);
    if (!at)
      return notDone(
        'impact-start',
        `/impact-start ${input.args.time}`,
        `${echo(input.args.time)} is in the future or not a time. Write 2026-11-26T02:50Z, 02:50 (UTC) or -25m.`,
      );
    return done('impact-start', `impact start set to ${utc(at)}`, [
      {
        kind: 'record',
        text: renderImpactStart({ at, by: input.actor }),
        record: impactStarted.record({ ...factBy(input), impactStart: at.toISOString() }),
      },
    ]);
  },
});
