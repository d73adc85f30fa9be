import { z } from 'zod';
import { PUBLIC_STATES } from '../../incident/state.ts';
import { defineFact } from '../../records/fact.ts';
import { echo } from '../../report/markdown.ts';
import { defineCommand, positional } from '../define.ts';
import { done, factBy, notDone } from './common.ts';

export const publicUpdate = defineFact(
  'status-page',
  { state: z.enum(PUBLIC_STATES), text: z.string().min(1).max(2000), published: z.boolean() },
  (next, fact, { at, url, log, responder }) => {
    next.publicUpdates = [
      ...next.publicUpdates,
      { at, by: fact.by, state: fact.state, text: fact.text, published: fact.published, url },
    ];
    responder(fact.by);
    log(fact.by, `Public status: ${fact.state}${fact.published ? '' : ' (not published)'}`, fact.text);
  },
);

export const statusPage = defineCommand({
  name: 'status-page',
  reason: '/status-page recorded: a public update',
  description: 'Publish a public status update, e.g. /status-page identified A bad release; rolling back',
  // What customers read: writers only, whatever the lifecycle commands need.
  permission: 'write',
  args: {
    state: positional({
      description: 'investigating, identified, monitoring or resolved',
      values: [...PUBLIC_STATES],
      maxLength: 13,
      required: true,
      as: z.enum(PUBLIC_STATES),
    }),
  },
  text: { name: 'text', description: 'What customers read', required: true, maxLength: 500 },
  facts: [publicUpdate],
  handle(input) {
    const config = input.runbook['status-page'];
    const line = `/status-page ${input.args.state}`;
    if (!config)
      return notDone(
        'status-page',
        line,
        'This runbook has no `status-page:` section: add its `title` (and `branch`, `path`) to publish public updates (see the README, "Status page").',
      );
    const { state, text } = input.args;
    const { incident } = input.snapshot;
    const updates = [...incident.publicUpdates, { at: input.now, state, text }];
    return done('status-page', `public status: ${state}`, [
      {
        kind: 'publish-status',
        config,
        entry: {
          id: input.issue.number,
          startedAt: (incident.impactStartAt ?? incident.declaredAt ?? input.now).toISOString(),
          state,
          updates: updates.map((update) => ({
            at: update.at.toISOString(),
            state: update.state,
            text: update.text,
          })),
        },
        then: (result) =>
          done(
            'status-page',
            result.ok ? `public status: ${state}` : `public status ${state} recorded, not published`,
            [
              {
                kind: 'reply',
                text: result.ok
                  ? `🌐 **Public status: ${state}** (by @${input.actor}), published to [the status page](${result.url}): ${echo(text, 500)}`
                  : `⚠️ **Public status ${state} recorded, not published** (${echo(result.error, 300)}). Recorded for the postmortem; the next \`/status-page\` publishes every update.\n\nThe update: ${echo(text, 500)}`,
                record: publicUpdate.record({ ...factBy(input), state, text, published: result.ok }),
              },
            ],
          ),
      },
    ]);
  },
});
