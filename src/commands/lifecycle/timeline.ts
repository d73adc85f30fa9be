import { defineCommand } from '../define.ts';
import { renderTimeline } from '../../report/timeline.ts';
import { done } from './common.ts';

export const timeline = defineCommand({
  name: 'timeline',
  reason: '/timeline posted',
  description: 'Post the incident timeline so far',
  permission: 'read',
  readOnly: true,
  handle(input) {
    const entries = input.snapshot.incident.timeline;
    return done('timeline', `timeline of ${entries.length} entries posted`, [
      {
        kind: 'reply',
        text: `### Timeline so far\n\n${renderTimeline(entries, { maxChars: 50_000, fullAt: input.runUrl })}`,
        record: {
          kind: 'answered',
          command: 'timeline',
          by: input.actor,
          at: input.now.toISOString(),
          source: input.comment.id,
        },
      },
    ]);
  },
});
