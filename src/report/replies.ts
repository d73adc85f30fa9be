import { printable } from '../commands/bind.ts';
import type { CommandSpec } from '../commands/registry.ts';
import { usage } from '../commands/usage.ts';
import type { Plan } from '../runbook/plan.ts';
import { codeBlock, echo, inline, utc } from './markdown.ts';

/** A line of a comment that did not run, and why. */
export type LineProblem =
  | { kind: 'invalid'; line: string; message: string; suggestion?: string | undefined }
  | { kind: 'refused'; line: string; message: string }
  /** A lifecycle command that could not be done as asked (already acknowledged, …). */
  | { kind: 'not-done'; line: string; message: string }
  | { kind: 'error'; line: string; message: string };

const shown = (line: string) => echo(printable(line, 120), 140);
const sentence = (message: string) => `${message}.`.replace(/([.?!])\.$/, '$1');

/**
 * One reply for every line of a comment that did not run: what was typed (echoed, never
 * rendered), what was wrong, and what to do instead.
 */
export function renderLineProblems(problems: LineProblem[], source: { url: string; total: number }): string {
  const [only] = problems;
  if (only && problems.length === 1) {
    switch (only.kind) {
      case 'invalid':
        return [
          `❓ ${sentence(only.message)}`,
          '',
          ...(only.suggestion ? [`Did you mean \`/${only.suggestion}\`?`, ''] : []),
          `You wrote: ${shown(only.line)}`,
          '',
          'Comment `/help` for the commands you may run.',
        ].join('\n');
      case 'refused':
        return [
          `🚫 **Not run:** ${shown(only.line)}`,
          '',
          only.message,
          '',
          'Nothing was executed. Ask someone with the required access to run it, or comment `/help` to see what you may run.',
        ].join('\n');
      case 'error':
        return [
          `⚠️ **Not run:** ${shown(only.line)}`,
          '',
          sentence(only.message),
          '',
          'Nothing was executed.',
        ].join('\n');
    }
  }
  return [
    `🚫 **${problems.length} of the ${source.total} commands in [this comment](${source.url}) were not run:**`,
    '',
    ...problems.map(
      (problem) =>
        `- ${shown(problem.line)}: ${sentence(problem.message)}${problem.kind === 'invalid' && problem.suggestion ? ` Did you mean \`/${problem.suggestion}\`?` : ''}`,
    ),
    '',
    'Nothing was executed for these. Comment `/help` for the commands you may run.',
  ].join('\n');
}

/** A comment that holds more commands than one comment may: none of them runs. */
export function renderTooManyCommands(view: QueuedView, max: number): string {
  return [
    `⚠️ **Not run:** [this comment](${view.htmlUrl}) by @${view.author} holds ${view.commands.length} commands; at most ${max} run from one comment, and a comment with more runs none of them.`,
    '',
    `Ten pasted \`/restart\` lines are a mistake or an attack, and running the first ${max} is neither what was meant nor safe. Post the commands you mean, at most ${max} per comment.`,
    '',
    'Nothing was executed.',
  ].join('\n');
}

/** The runbook on the default branch does not load. */
export function renderInvalidRunbook(source: string, errors: string[], consequence: string): string {
  return [
    `⚠️ **The runbook ${echo(source)} is invalid**, so ${consequence}. Fix these:`,
    '',
    ...errors.slice(0, 50).map((error) => `- ${echo(error, 400)}`),
    ...(errors.length > 50 ? [`- … and ${errors.length - 50} more`] : []),
  ].join('\n');
}

/** Why a person's commands are not run here; each person gets it once per incident. */
export type NoticeReason = 'no-access' | 'not-responder' | 'rate-limited';

export function renderNotice(
  reason: NoticeReason,
  facts: {
    user: string;
    role: string;
    floor: string;
    readOnly: string[];
    limit: number;
    windowMinutes: number;
    retryAt?: Date;
  },
): string {
  switch (reason) {
    case 'no-access':
      return `🚫 @${facts.user} has no access to this repository, so commands from this account are not run. Nothing was executed. This account gets no further reply on this incident.`;
    case 'not-responder':
      return [
        `🚫 @${facts.user}: commands on this incident need ${facts.floor} access to the repository; you have ${facts.role}. Nothing was executed.`,
        '',
        `You may run ${facts.readOnly.map((name) => `\`/${name}\``).join(' and ')} (at most ${facts.limit} every ${facts.windowMinutes} minutes). This is the only reply you get here; later commands from you are marked 😕.`,
      ].join('\n');
    case 'rate-limited':
      return `⏳ @${facts.user}: at most ${facts.limit} read-only commands every ${facts.windowMinutes} minutes${facts.retryAt ? `; try again after ${utc(facts.retryAt)}` : ''}. Nothing was run; until then further ones are only marked 😕.`;
  }
}

export interface HelpEntry {
  spec: CommandSpec;
  destructive: boolean;
}

/** The commands this commenter may run, from the runbook in effect. */
export function renderHelp(
  user: string,
  entries: HelpEntry[],
  runbookSource: string,
  runbookErrors: readonly string[] = [],
): string {
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
    ...(runbookErrors.length > 0
      ? [
          '',
          renderInvalidRunbook(
            runbookSource,
            [...runbookErrors],
            'its commands are not listed and cannot run until it is fixed',
          ),
        ]
      : []),
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
  const settings = Object.entries(plan.target.env);
  if (settings.length > 0)
    lines.push(
      `Host settings (where the host does not set them): ${settings.map(([name, value]) => echo(`${name}=${value}`)).join(', ')}`,
      '',
    );
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
  const shown = view.commands.slice(0, 5).map((text) => echo(printable(text, 80), 100));
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
    | { kind: 'lost'; claimedAt: Date; timeoutSeconds: number }
    | { kind: 'unmarked' },
): string {
  const what =
    cause.kind === 'cancelled'
      ? 'The run handling it was cancelled before the command finished.'
      : cause.kind === 'unmarked'
        ? "The action's record shows it was handled, but the action's reactions on it are gone (removed by hand or by another workflow)."
        : cause.kind === 'failed'
          ? `The run handling it failed before it recorded an outcome: ${echo(printable(cause.message, 200), 220)}.`
          : `The run that claimed it at ${utc(cause.claimedAt)} recorded no outcome within the claim timeout (${Math.round(cause.timeoutSeconds / 60)} min): it was cancelled, timed out or lost its runner.`;
  return [
    `⛔ **Interrupted:** [this comment](${view.htmlUrl}) by @${view.author} asked for ${commandList(view)}.`,
    '',
    `${what} On the host the command may have finished, stopped part-way, or never started.`,
    '',
    '**It is not run again automatically.** Check the service (for example with `/status` or `/health`), then post the command again if it is still needed; a destructive command asks for a new confirmation.',
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

/** A command whose turn came long after it was posted: the situation it was meant for has moved on. */
export function renderStale(view: QueuedView, claimTimeoutMs: number): string {
  return [
    `⏹️ **Not run:** [this comment](${view.htmlUrl}) by @${view.author} asked for ${commandList(view)} more than ${Math.round(claimTimeoutMs / 60_000)} minutes before its turn came (\`claim-timeout\`).`,
    '',
    'A command that old is not run by itself: the situation it was meant for may have changed. Nothing was executed; post it again if it is still needed.',
  ].join('\n');
}
