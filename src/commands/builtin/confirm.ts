import type { IssueComment } from '../../github/port.ts';
import type { RecordedComment } from '../../records/read.ts';
import type { RecordOf } from '../../records/record.schema.ts';
import { renderPlan } from '../../report/replies.ts';
import { utc } from '../../report/markdown.ts';
import { planHash } from '../../runbook/confirmation.ts';
import { planCommand } from '../../runbook/plan.ts';
import { checkValue, type ArgumentValue } from '../bind.ts';
import { defineCommand, positional, type HandlerInput } from '../define.ts';
import { decided, type Decision, type Effect } from '../effects.ts';
import { onHost } from '../runbook-command.ts';

const refuse = (line: string, message: string): Decision =>
  decided({ status: 'refused', reason: 'confirmation', command: 'confirm', message }, [], {
    kind: 'refused',
    line,
    message,
  });

/**
 * What closes a plan nobody confirmed in time: its comment, re-rendered from its sealed record, says
 * it expired and that nothing ran, and the comment that asked for it gets 😕 in place of its 👍.
 * Used by a late `/confirm` and by the sweep, whichever comes first; the record's `expired` mark
 * keeps the other from doing it again.
 */
export function expiredPlanEffects(
  held: { comment: { id: number }; record: RecordOf<'plan'> },
  input: Pick<HandlerInput<unknown>, 'registry' | 'runbook' | 'settings'>,
): Effect[] {
  const pending = held.record;
  const heading = `### ⌛ \`/${pending.command}\` was not confirmed in time`;
  const spec = input.registry.get(pending.command);
  const replanned =
    spec && input.runbook.commands[pending.command]
      ? planCommand(
          {
            spec,
            args: pending.args as Record<string, ArgumentValue>,
            line: { name: pending.command, rest: '', line: 0, text: `/${pending.command}` },
          },
          input.runbook,
          input.settings.ssh,
          input.settings.commandTimeoutSeconds,
        )
      : undefined;
  return [
    {
      kind: 'edit',
      commentId: held.comment.id,
      text: `${replanned?.ok ? renderPlan(replanned.plan, heading).trimEnd() : heading}\n\n---\n⌛ The code expired at ${utc(new Date(pending.expiresAt))} unused; nothing ran. Post the command again for a new plan.`,
      record: { ...pending, expired: true },
    },
    { kind: 'react', commentId: pending.source, content: 'confused' },
  ];
}

/**
 * The plans on an issue still showing "waits for confirmation" after their code expired: not marked
 * expired, and no result spent their code. Oldest first.
 */
export function plansPastExpiry(
  records: readonly RecordedComment[],
  now: Date,
): { comment: IssueComment; record: RecordOf<'plan'> }[] {
  const spent = new Set(
    records.flatMap(({ record }) => (record.kind === 'result' && record.code ? [record.code] : [])),
  );
  return records.flatMap(({ comment, record }) => {
    if (record.kind !== 'plan') return [];
    const plan = record as RecordOf<'plan'>;
    return !plan.expired && !spent.has(plan.code) && new Date(plan.expiresAt).getTime() < now.getTime()
      ? [{ comment, record: plan }]
      : [];
  });
}

/**
 * Runs a held destructive command. The plan is read back only from a sealed record of the action's
 * own comment, so an edited plan or a pasted one is never run. The code is spent by the action's
 * 🚀 on the plan comment: GitHub keeps one reaction per user and kind, so of two confirmations
 * exactly one runs the plan, and a spent code stays spent whatever is edited.
 */
export const confirm = defineCommand({
  name: 'confirm',
  description: 'Run a destructive command whose plan was posted with this code',
  permission: 'write',
  source: 'builtin',
  args: {
    code: positional({
      description: 'The confirmation code from the plan comment',
      pattern: '^[0-9a-f]{8}$',
      maxLength: 8,
      required: true,
    }),
  },
  handle(input) {
    const { code } = input.args;
    const line = `/confirm ${code}`;
    const records = input.snapshot.records;
    const held = records.find(
      (entry): entry is { comment: (typeof entry)['comment']; record: RecordOf<'plan'> } =>
        entry.record.kind === 'plan' && entry.record.code === code,
    );
    if (!held) return refuse(line, `No command on this issue waits for the code \`${code}\`.`);
    const pending = held.record;
    const spent = records.find((entry) => entry.record.kind === 'result' && entry.record.code === code);
    if (spent?.record.kind === 'result')
      return refuse(
        line,
        `That code was already used by @${spent.record.confirmedBy ?? 'someone'}; a code runs its command once.`,
      );
    if (new Date(pending.expiresAt) < input.now) {
      const expired = refuse(
        line,
        `The code \`${code}\` expired at ${utc(new Date(pending.expiresAt))}. Post the command again to get a new plan.`,
      );
      // The plan ends here: its comment and the comment that asked for it say so (once).
      return { ...expired, effects: pending.expired ? [] : expiredPlanEffects(held, input) };
    }
    const spec = input.registry.get(pending.command);
    if (!spec || !input.runbook.commands[pending.command])
      return refuse(line, `\`/${pending.command}\` is no longer in the runbook.`);
    const permitted = input.permission(spec);
    if (!permitted.allowed) return refuse(line, permitted.message);
    // The arguments come from a sealed record, but the runbook may have changed since: check again.
    for (const arg of spec.args) {
      const value = pending.args[arg.name];
      if (value === undefined || typeof value === 'boolean') continue;
      const checked = checkValue(arg, String(value));
      if (!checked.ok)
        return refuse(line, `The held command no longer passes the runbook: ${checked.message}.`);
    }
    const planned = planCommand(
      {
        spec,
        args: pending.args as Record<string, ArgumentValue>,
        line: { name: pending.command, rest: '', line: 0, text: `/${pending.command}` },
      },
      input.runbook,
      input.settings.ssh,
      input.settings.commandTimeoutSeconds,
    );
    if (!planned.ok) return refuse(line, planned.message);
    if (planHash(planned.plan) !== pending.planHash)
      return refuse(
        line,
        'The runbook or the target changed since this plan was posted, so it is not run. Post the command again for a new plan.',
      );
    const plan = planned.plan;
    const execution = { user: pending.requestedBy, confirmedBy: input.actor, code };
    if (input.settings.dryRun) return onHost(plan, 'confirmed', execution, input);
    // The plan comment is re-rendered from its sealed record, so it ends showing what became of it:
    // its heading says so, and the confirmation instructions (now spent) are gone.
    const note = (heading: string, text: string) =>
      ({
        kind: 'edit',
        commentId: held.comment.id,
        text: `${renderPlan(plan, `### ${heading}`).trimEnd()}\n\n---\n${text}`,
        record: pending,
      }) as const;
    return decided(
      { status: 'planned', reason: 'running', command: plan.command, message: 'spending the code' },
      [
        {
          kind: 'spend',
          planCommentId: held.comment.id,
          then: (won) => {
            if (!won) return refuse(line, 'That code was already used; a code runs its command once.');
            const running = onHost(plan, 'confirmed', execution, input, (result, outcome) =>
              decided(outcome, [
                note(
                  `${outcome.status === 'success' ? '✅' : '❌'} \`/${plan.command}\` was confirmed and ran: ${outcome.status}`,
                  `${outcome.status === 'success' ? '✅' : '❌'} **Confirmed by @${input.actor}** at ${utc(input.now)} and run: ${outcome.status}${result.kind === 'executed' ? ` ([result](${result.commentUrl}))` : ''}. The code is spent.`,
                ),
                // The comment that asked for it closes only now, with what became of it.
                {
                  kind: 'react',
                  commentId: pending.source,
                  content:
                    outcome.status === 'success' ? '+1' : outcome.status === 'refused' ? 'confused' : '-1',
                },
              ]),
            );
            return decided(running.outcome, [
              note(
                `⏳ \`/${plan.command}\` was confirmed and is running`,
                `⏳ **Confirmed by @${input.actor}** at ${utc(input.now)}; running now.`,
              ),
              ...running.effects,
            ]);
          },
        },
      ],
    );
  },
});
