import type { CommandError } from '../commands/bind.ts';
import { printable } from '../commands/bind.ts';
import { usage, type CommandSpec } from '../commands/registry.ts';
import type { Plan } from '../runbook/plan.ts';
import { codeBlock, inline, utc } from './markdown.ts';
import { writeMarker } from './marker.ts';

export function renderCommandError(error: CommandError): string {
  const lines = [`❓ ${error.message}.`.replace(/\.\.$/, '.'), ''];
  if (error.suggestion) lines.push(`Did you mean \`/${error.suggestion}\`?`, '');
  lines.push(
    `You wrote: \`${inline(printable(error.line.text, 120))}\``,
    '',
    'Comment `/help` for the commands you may run.',
  );
  return lines.join('\n');
}

export function renderRefusal(commandText: string, message: string): string {
  return [
    `🚫 **Not run:** \`${inline(printable(commandText, 120))}\``,
    '',
    message,
    '',
    'Nothing was executed. Ask someone with the required access to run it, or comment `/help` to see what you may run.',
  ].join('\n');
}

export function renderTooManyCommands(ignored: string[], max: number): string {
  return [
    `⚠️ Only the first ${max} commands of a comment are run. These were **not run**:`,
    '',
    ...ignored.slice(0, 10).map((text) => `- \`${inline(printable(text, 120))}\``),
    ...(ignored.length > 10 ? [`- … and ${ignored.length - 10} more`] : []),
    '',
    'Post them again in another comment.',
  ].join('\n');
}

export interface HelpEntry {
  spec: CommandSpec;
  destructive: boolean;
}

/** The commands this commenter may run, from the runbook in effect. */
export function renderHelp(user: string, entries: HelpEntry[], runbookSource: string): string {
  const rows = entries.map(
    ({ spec, destructive }) =>
      `| \`${usage(spec)}\` | ${spec.description}${destructive ? ' ⚠️ asks for confirmation' : ''} | ${spec.permission} |`,
  );
  const args = entries.flatMap(({ spec }) =>
    spec.args.map((arg) => {
      const accepted = arg.values
        ? `one of ${arg.values.map((v) => `\`${v}\``).join(', ')}`
        : arg.pattern
          ? `matches \`${arg.pattern}\``
          : '';
      const range =
        arg.type === 'integer'
          ? `a number${arg.min !== undefined ? ` from ${arg.min}` : ''}${arg.max !== undefined ? ` to ${arg.max}` : ''}`
          : '';
      const fallback = arg.default !== undefined ? `, default \`${arg.default}\`` : '';
      return `- \`/${spec.name}\` **${arg.name}**: ${arg.description} (${[accepted, range].filter(Boolean).join(', ')}${fallback})`;
    }),
  );
  return [
    `#### Commands @${user} may run here`,
    '',
    '| Command | What it does | Needs |',
    '|---|---|---|',
    ...rows,
    '',
    ...(args.length > 0 ? ['Arguments:', '', ...args, ''] : []),
    `Commands are read from lines that start with \`/\`, outside code blocks, quotes and \`<details>\`. Runbook: \`${runbookSource}\`.`,
  ].join('\n');
}

/** The exact plan: what would run, where, with which rendered arguments. */
export function renderPlan(plan: Plan, heading: string): string {
  const lines = [
    heading,
    '',
    `Target: \`${plan.target.user}@${plan.target.host}:${plan.target.port}\` (${plan.target.name}), timeout ${plan.timeoutSeconds} s`,
    '',
  ];
  plan.steps.forEach((step, index) => {
    lines.push(
      `${index + 1}. **${inline(step.name)}**${step.destructive ? ' ⚠️ destructive' : ''}${step.continueOnError ? ' (continues on error)' : ''}`,
      '',
      codeBlock(step.script, 'sh'),
      '',
    );
  });
  if (plan.check)
    lines.push(`Then check: **${inline(plan.check.name)}**`, '', codeBlock(plan.check.script, 'sh'), '');
  return lines.join('\n');
}

export interface PendingView {
  plan: Plan;
  code: string;
  planHash: string;
  requestedBy: string;
  sourceCommentId: number;
  expiresAt: Date;
}

export function renderPendingConfirmation(view: PendingView): string {
  return [
    renderPlan(view.plan, `### ⚠️ \`/${view.plan.command}\` is destructive and waits for confirmation`),
    `To run exactly this plan, an authorised responder comments:`,
    '',
    codeBlock(`/confirm ${view.code}`),
    '',
    `The code is bound to this command and these arguments, works once, and expires at ${utc(view.expiresAt)}.`,
    '',
    writeMarker({
      type: 'pending',
      code: view.code,
      command: view.plan.command,
      args: view.plan.args,
      source: view.sourceCommentId,
      requestedBy: view.requestedBy,
      expiresAt: view.expiresAt.toISOString(),
      planHash: view.planHash,
    }),
  ].join('\n');
}

/** A queued comment as a reply names it: a link, its author and its commands. */
export interface QueuedView {
  id: number;
  author: string;
  htmlUrl: string;
  commands: string[];
}

function commandList(view: QueuedView): string {
  const shown = view.commands.slice(0, 5).map((text) => `\`${inline(printable(text, 80))}\``);
  if (view.commands.length > 5) shown.push(`and ${view.commands.length - 5} more`);
  return shown.join(', ');
}

/**
 * A claimed command whose run stopped before it recorded an outcome. The report says what is known
 * and what is not, and that nothing runs again by itself.
 */
export function renderInterrupted(
  view: QueuedView,
  cause:
    | { kind: 'cancelled' }
    | { kind: 'failed'; message: string }
    | { kind: 'lost'; claimedAt: Date; timeoutSeconds: number },
): string {
  const what =
    cause.kind === 'cancelled'
      ? 'The run handling it was cancelled before the command finished.'
      : cause.kind === 'failed'
        ? `The run handling it failed before it recorded an outcome: \`${inline(printable(cause.message, 200))}\`.`
        : `The run that claimed it at ${utc(cause.claimedAt)} recorded no outcome within the claim timeout (${Math.round(cause.timeoutSeconds / 60)} min): it was cancelled, timed out or lost its runner.`;
  return [
    `⛔ **Interrupted:** [this comment](${view.htmlUrl}) by @${view.author} asked for ${commandList(view)}.`,
    '',
    `${what} On the host the command may have finished, stopped part-way, or never started.`,
    '',
    '**It is not run again automatically.** Check the service (for example with `/status` or `/health`), then post the command again if it is still needed; a destructive command asks for a new confirmation.',
    '',
    writeMarker({
      type: 'result',
      command: view.commands.map((text) => text.split(/\s/)[0]?.replace(/^\//, '') ?? '').join(' '),
      source: view.id,
      status: 'interrupted',
    }),
  ].join('\n');
}

/** Commands in a comment edited before their turn: only text as it was posted ever runs. */
export function renderEditedBeforeTurn(view: QueuedView): string {
  return [
    `✏️ **Not run:** [this comment](${view.htmlUrl}) by @${view.author} was edited before its turn came (${commandList(view)}).`,
    '',
    'Commands run only as they were first posted, so that what people read in their notifications is what runs. Post the command again as a new comment.',
    '',
    'Nothing was executed.',
  ].join('\n');
}

/** Commands still queued when the incident was closed or lost its incident label. */
export function renderNoLongerIncident(view: QueuedView): string {
  return [
    `⏹️ **Not run:** [this comment](${view.htmlUrl}) by @${view.author} asked for ${commandList(view)}, but the issue was closed or lost its incident label before its turn came.`,
    '',
    'Nothing was executed. Reopen the incident (or label it again) and post the command again if it is still needed.',
  ].join('\n');
}
