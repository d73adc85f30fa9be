import { createHash } from 'node:crypto';
import { bindCommand, checkValue, type ArgumentValue, type BoundCommand } from '../commands/bind.ts';
import type { CommandLine } from '../commands/extract.ts';
import { commandRegistry, type CommandSpec } from '../commands/registry.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import type { Outcome } from '../outcome.ts';
import { readRecords } from '../records/read.ts';
import type { RecordOf } from '../records/record.schema.ts';
import { utc } from '../report/markdown.ts';
import { redact } from '../report/redact.ts';
import {
  renderHelp,
  renderInvalidRunbook,
  renderLineProblems,
  renderPendingConfirmation,
  type LineProblem,
} from '../report/replies.ts';
import type { LoadedRunbook } from '../runbook/load.ts';
import { planCommand, type Plan } from '../runbook/plan.ts';
import { requiredPermission } from './authorize.ts';
import type { Dependencies } from './dependencies.ts';
import type { ExecutionRecord } from './execute.ts';
import { runOnHost, type HostOutcome, type HostPurpose } from './gate.ts';
import { handleLifecycle } from './lifecycle.ts';

/** How long a destructive command's confirmation code stays valid. */
const CONFIRMATION_MINUTES = 15;

/** A comment that asks for commands, as the queue hands it over (already claimed). */
export interface CommandComment {
  id: number;
  body: string;
  author: string;
  htmlUrl: string;
  lines: CommandLine[];
}

/** The incident issue the comment is on. */
export interface IssueRef {
  number: number;
  title: string;
  url: string;
  labels: string[];
}

interface CommentContext {
  comment: CommandComment;
  issue: IssueRef;
  deps: Dependencies;
  runbook: Runbook;
  runbookSource: string;
  registry: Map<string, CommandSpec>;
  user: string;
}

/** What one line came to: its outcome, and what to tell the commenter when it did not run. */
interface LineResult {
  outcome: Outcome;
  problem?: LineProblem;
}

/**
 * Handles the commands of one claimed comment, in order, and returns one outcome per command.
 * Every line that could not run is explained in one reply for the whole comment. It ends with the
 * closing reaction, which records that the comment is finished.
 */
export async function handleCommandComment(
  comment: CommandComment,
  issue: IssueRef,
  deps: Dependencies,
  loaded: LoadedRunbook,
): Promise<Outcome[]> {
  const outcomes = await handleLines(comment, issue, deps, loaded);
  const allGood = outcomes.every((outcome) => outcome.status === 'success' || outcome.status === 'planned');
  await deps.github.reactToComment(
    comment.id,
    allGood ? '+1' : outcomes.some((o) => o.status === 'failure' || o.status === 'error') ? '-1' : 'confused',
  );
  return outcomes;
}

async function handleLines(
  comment: CommandComment,
  issue: IssueRef,
  deps: Dependencies,
  loaded: LoadedRunbook,
): Promise<Outcome[]> {
  if (!loaded.ok) {
    await deps.writer.post(
      issue.number,
      renderInvalidRunbook(loaded.source, loaded.errors, 'no command can run'),
      {
        kind: 'refused',
        user: comment.author,
        reason: 'invalid-runbook',
        by: comment.author,
        at: deps.now().toISOString(),
        source: comment.id,
      },
    );
    return [{ status: 'error', reason: 'invalid-runbook', message: loaded.errors.join('\n') }];
  }
  const context: CommentContext = {
    comment,
    issue,
    deps,
    runbook: loaded.runbook,
    runbookSource: loaded.source,
    registry: commandRegistry(loaded.runbook),
    user: comment.author,
  };
  const outcomes: Outcome[] = [];
  const problems: LineProblem[] = [];
  for (const line of comment.lines) {
    const result = await handleLine(line, context);
    outcomes.push(result.outcome);
    if (result.problem) problems.push(result.problem);
  }
  if (problems.length > 0) {
    await deps.writer.post(
      issue.number,
      renderLineProblems(problems, { url: comment.htmlUrl, total: comment.lines.length }),
      {
        kind: 'refused',
        user: comment.author,
        reason:
          problems.length === 1
            ? (outcomes.find((o) => o.status !== 'success')?.reason ?? 'refused')
            : 'several',
        by: comment.author,
        at: deps.now().toISOString(),
        source: comment.id,
      },
    );
  }
  return outcomes;
}

/** Runbook commands change the board's "recent commands"; lifecycle commands refresh it themselves. */
export function ranRunbookCommand(outcomes: Outcome[]): boolean {
  return outcomes.some(
    (outcome) => outcome.details && 'target' in outcome.details && outcome.status !== 'refused',
  );
}

async function handleLine(line: CommandLine, context: CommentContext): Promise<LineResult> {
  const { deps } = context;
  const bound = bindCommand(line, context.registry);
  if (!bound.ok) {
    return {
      outcome: {
        status: 'refused',
        reason: 'invalid-command',
        command: line.name,
        message: bound.error.message,
      },
      problem: {
        kind: 'invalid',
        line: line.text,
        message: bound.error.message,
        suggestion: bound.error.suggestion,
      },
    };
  }
  const { command } = bound;
  const decision = await deps.authorizer.authorize(
    context.user,
    requiredPermission(command.spec, deps.settings),
  );
  if (!decision.allowed) {
    return {
      outcome: {
        status: 'refused',
        reason: decision.reason,
        command: command.spec.name,
        message: decision.message,
      },
      problem: { kind: 'refused', line: line.text, message: decision.message },
    };
  }
  deps.log(`@${context.user} may run /${command.spec.name}: ${decision.because}`);
  if (command.spec.name === 'help') return { outcome: await help(context) };
  if (command.spec.name === 'confirm') return confirm(String(command.args.code), line, context);
  if (command.spec.source === 'lifecycle') {
    const outcome = await handleLifecycle(
      {
        command,
        issue: context.issue,
        user: context.user,
        commentId: context.comment.id,
        commentUrl: context.comment.htmlUrl,
      },
      deps,
      context.runbook,
    );
    return { outcome };
  }
  return runOrHold(command, context);
}

async function help(context: CommentContext): Promise<Outcome> {
  const { deps } = context;
  const entries = [];
  for (const spec of context.registry.values()) {
    if ((await deps.authorizer.authorize(context.user, requiredPermission(spec, deps.settings))).allowed) {
      entries.push({ spec, destructive: context.runbook.commands[spec.name]?.destructive ?? false });
    }
  }
  await deps.writer.post(context.issue.number, renderHelp(context.user, entries, context.runbookSource), {
    kind: 'answered',
    command: 'help',
    by: context.user,
    at: deps.now().toISOString(),
    source: context.comment.id,
  });
  return { status: 'success', reason: 'help', command: 'help', message: `listed ${entries.length} commands` };
}

async function runOrHold(command: BoundCommand, context: CommentContext): Promise<LineResult> {
  const { deps, comment, issue } = context;
  const planned = planCommand(
    command,
    context.runbook,
    deps.settings.ssh,
    deps.settings.commandTimeoutSeconds,
  );
  if (!planned.ok) {
    return {
      outcome: {
        status: 'error',
        reason: 'invalid-target',
        command: command.spec.name,
        message: planned.message,
      },
      problem: { kind: 'error', line: command.line.text, message: planned.message },
    };
  }
  const { plan } = planned;
  if (plan.destructive && !deps.settings.dryRun) {
    const code = confirmationCode(comment.id, plan.command, plan.args);
    const expiresAt = new Date(deps.now().getTime() + CONFIRMATION_MINUTES * 60_000);
    await deps.writer.post(issue.number, renderPendingConfirmation({ plan, code, expiresAt }), {
      kind: 'plan',
      code,
      command: plan.command,
      args: plan.args,
      source: comment.id,
      requestedBy: context.user,
      expiresAt: expiresAt.toISOString(),
      planHash: planHash(plan),
    });
    return {
      outcome: {
        status: 'planned',
        reason: 'awaiting-confirmation',
        command: plan.command,
        message: `waiting for /confirm ${code}`,
        details: { code },
      },
    };
  }
  return onHost(plan, 'command', command.line, { user: context.user }, context);
}

/**
 * Runs a held destructive command. The plan is read back only from a sealed record of the action's
 * own comment, so an edited plan or a pasted one is never run. The code is spent by the action's
 * 🚀 on the plan comment: GitHub keeps one reaction per user and kind, so of two confirmations
 * exactly one runs the plan, and a spent code stays spent whatever is edited.
 */
async function confirm(code: string, line: CommandLine, context: CommentContext): Promise<LineResult> {
  const { deps } = context;
  const refuse = (message: string): LineResult => ({
    outcome: { status: 'refused', reason: 'confirmation', command: 'confirm', message },
    problem: { kind: 'refused', line: line.text, message },
  });
  const comments = await deps.github.listComments(context.issue.number);
  const { records } = readRecords(comments, {
    selfLogin: deps.selfLogin,
    scope: { sealer: deps.sealer, issueNumber: context.issue.number },
  });
  const held = records.find(
    (entry): entry is { comment: (typeof entry)['comment']; record: RecordOf<'plan'> } =>
      entry.record.kind === 'plan' && entry.record.code === code,
  );
  if (!held) return refuse(`No command on this issue waits for the code \`${code}\`.`);
  const pending = held.record;
  const spent = records.find((entry) => entry.record.kind === 'result' && entry.record.code === code);
  if (spent?.record.kind === 'result') {
    return refuse(
      `That code was already used by @${spent.record.confirmedBy ?? 'someone'}; a code runs its command once.`,
    );
  }
  if (new Date(pending.expiresAt) < deps.now()) {
    return refuse(
      `The code \`${code}\` expired at ${utc(new Date(pending.expiresAt))}. Post the command again to get a new plan.`,
    );
  }
  const spec = context.registry.get(pending.command);
  const definition = context.runbook.commands[pending.command];
  if (!spec || !definition) return refuse(`\`/${pending.command}\` is no longer in the runbook.`);
  const required = requiredPermission(spec, deps.settings);
  const decision = await deps.authorizer.authorize(context.user, required);
  if (!decision.allowed) return refuse(decision.message);
  // The arguments come from a sealed record, but the runbook may have changed since: check again.
  for (const arg of spec.args) {
    const value = pending.args[arg.name];
    if (value === undefined || typeof value === 'boolean') continue;
    const checked = checkValue(arg, String(value));
    if (!checked.ok) return refuse(`The held command no longer passes the runbook: ${checked.message}.`);
  }
  const heldLine: CommandLine = { name: pending.command, rest: '', line: 0, text: `/${pending.command}` };
  const planned = planCommand(
    { spec, args: pending.args, line: heldLine },
    context.runbook,
    deps.settings.ssh,
    deps.settings.commandTimeoutSeconds,
  );
  if (!planned.ok) return refuse(planned.message);
  if (planHash(planned.plan) !== pending.planHash) {
    return refuse(
      'The runbook or the target changed since this plan was posted, so it is not run. Post the command again for a new plan.',
    );
  }
  const execution = { user: pending.requestedBy, confirmedBy: context.user, code };
  if (deps.settings.dryRun) return onHost(planned.plan, 'confirmed', line, execution, context);
  let won: boolean;
  try {
    // Spent by the action's 🚀 on the plan itself: one mark per code, even for several plans asked
    // for in one comment.
    won = await deps.github.reactToComment(held.comment.id, 'rocket');
  } catch (error) {
    deps.log(`Could not mark plan ${code} as confirmed: ${String(error)}`);
    return refuse('The plan comment is gone, so it is not run. Post the command again.');
  }
  if (!won) return refuse('That code was already used; a code runs its command once.');
  // The plan comment is re-rendered from the sealed record, so it ends showing what became of it.
  const planText = renderPendingConfirmation({
    plan: planned.plan,
    code,
    expiresAt: new Date(pending.expiresAt),
  });
  const note = (text: string) =>
    deps.writer
      .edit(held.comment.id, context.issue.number, `${planText}\n\n---\n${text}`, pending)
      .catch((error: unknown) => deps.warn(`Could not update the plan comment: ${String(error)}`));
  await note(`⏳ **Confirmed by @${context.user}** at ${utc(deps.now())}; running now.`);
  const result = await onHost(planned.plan, 'confirmed', line, execution, context);
  const record = result.outcome.details as (ExecutionRecord & { commentUrl?: string }) | undefined;
  await note(
    `${result.outcome.status === 'success' ? '✅' : '❌'} **Confirmed by @${context.user}** at ${utc(deps.now())} and run: ${result.outcome.status}${record?.commentUrl ? ` ([result](${record.commentUrl}))` : ''}. The code is spent.`,
  );
  return result;
}

async function onHost(
  plan: Plan,
  purpose: HostPurpose,
  line: CommandLine,
  execution: { user: string; confirmedBy?: string; code?: string },
  context: CommentContext,
): Promise<LineResult> {
  const { deps, comment } = context;
  const spec = context.registry.get(plan.command);
  const outcome: HostOutcome = await runOnHost(
    {
      plan,
      issueNumber: context.issue.number,
      actor: context.user,
      required: spec ? requiredPermission(spec, deps.settings) : 'admin',
      purpose,
      execution: { ...execution, source: { id: comment.id, url: comment.htmlUrl } },
    },
    deps,
  );
  switch (outcome.kind) {
    case 'refused':
      return {
        outcome: {
          status: 'refused',
          reason: outcome.decision.reason,
          command: plan.command,
          message: outcome.decision.message,
        },
        problem: { kind: 'refused', line: line.text, message: outcome.decision.message },
      };
    case 'dry-run':
      return {
        outcome: {
          status: 'planned',
          reason: 'dry-run',
          command: plan.command,
          message: 'dry run: plan posted, nothing executed',
          details: { plan },
        },
      };
    case 'executed': {
      const { record } = outcome;
      const reason = (
        {
          success: 'executed',
          failure: 'step-failed',
          timeout: 'timeout',
          'ssh-error': 'ssh-error',
          running: 'running',
        } as const
      )[record.status];
      return {
        outcome: {
          status: record.status === 'success' ? 'success' : 'failure',
          reason,
          command: plan.command,
          exitCode: record.exitCode,
          message: redact(record.summary || `/${plan.command} ${record.status}`, deps.secrets).text,
          details: { ...record, target: plan.target, args: plan.args },
        },
      };
    }
  }
}

/** A digest of exactly what would run, where: the held plan runs only if it is unchanged. */
export function planHash(plan: Plan): string {
  const material = {
    target: plan.target,
    steps: plan.steps,
    check: plan.check,
    timeout: plan.timeoutSeconds,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 16);
}

/** Eight hex digits bound to the requesting comment, the command and its exact arguments. */
export function confirmationCode(
  commentId: number,
  command: string,
  args: Record<string, ArgumentValue>,
): string {
  return createHash('sha256')
    .update(JSON.stringify([commentId, command, args]))
    .digest('hex')
    .slice(0, 8);
}
