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
