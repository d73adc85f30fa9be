import type { CommandReason } from '../../outcome.ts';
import { renderHelp } from '../../report/replies.ts';
import { defineCommand } from '../define.ts';
import { decided } from '../effects.ts';

export const help = defineCommand({
  name: 'help',
  reason: '/help answered',
  description: 'List the commands you may run here',
  permission: 'read',
  readOnly: true,
  source: 'builtin',
  handle(input) {
    const entries = [...input.registry.values()]
      .filter((spec) => input.permission(spec).allowed)
      .map((spec) => ({ spec, destructive: input.runbook.commands[spec.name]?.destructive ?? false }));
    return decided(
      {
        status: 'success',
        reason: 'help' as CommandReason,
        command: 'help',
        message: `listed ${entries.length} commands`,
      },
      [
        {
          kind: 'reply',
          text: renderHelp(input.actor, entries, input.runbookSource, input.runbookErrors),
          record: {
            kind: 'answered',
            command: 'help',
            by: input.actor,
            at: input.now.toISOString(),
            source: input.comment.id,
          },
        },
      ],
    );
  },
});
