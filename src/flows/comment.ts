import { createHash } from 'node:crypto';
import { bindCommand, checkValue, type ArgumentValue, type BoundCommand } from '../commands/bind.ts';
import type { CommandLine } from '../commands/extract.ts';
import { commandRegistry, type CommandSpec } from '../commands/registry.ts';
import { higherOf } from '../authz/permission.ts';
import type { Permission, Runbook } from '../config/runbook.schema.ts';
import type { Outcome } from '../outcome.ts';
import { readMarker, replaceMarker } from '../report/marker.ts';
import { redact } from '../report/redact.ts';
import {
  renderCommandError,
  renderHelp,
  renderPendingConfirmation,
  renderPlan,
  renderRefusal,
  renderTooManyCommands,
} from '../report/replies.ts';
import type { LoadedRunbook } from '../runbook/load.ts';
import { planCommand, type Plan } from '../runbook/plan.ts';
import { createAuthorizer, type Authorizer } from './authorize.ts';
import type { Dependencies } from './dependencies.ts';
import { executePlan, type ExecutionRequest } from './execute.ts';
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
  authorizer: Authorizer;
  user: string;
}

/**
 * Handles the commands of one claimed comment, in order, and returns one outcome per command. It
 * ends with the closing reaction, which records that the comment is finished.
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
  const issueNumber = issue.number;
  const user = comment.author;
  const authorizer = createAuthorizer(deps.github, deps.settings);
  // People without access get one short answer: their text is not echoed or parsed further.
  if ((await authorizer.roleOf(user)) === 'none') {
    const message = `@${user} has no access to this repository, so commands from this account are not run.`;
    await deps.github.createComment(issueNumber, `🚫 ${message} Nothing was executed.`);
    return [{ status: 'refused', reason: 'permission', message }];
  }
  if (!loaded.ok) {
    await deps.github.createComment(
      issueNumber,
      [
        `⚠️ **The runbook ${loaded.source} is invalid**, so no command can run. Fix these:`,
        '',
        ...loaded.errors.map((e) => `- \`${e}\``),
      ].join('\n'),
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
    authorizer,
    user,
  };

  const { lines } = comment;
  const max = deps.settings.maxCommandsPerComment;
  const outcomes: Outcome[] = [];
  for (const line of lines.slice(0, max)) outcomes.push(await handleLine(line, context));
  if (lines.length > max) {
    await deps.github.createComment(
      issueNumber,
      renderTooManyCommands(
        lines.slice(max).map((l) => l.text),
        max,
      ),
    );
    outcomes.push({
      status: 'refused',
      reason: 'too-many-commands',
      message: `${lines.length - max} commands beyond the first ${max} were not run`,
    });
  }
  return outcomes;
}

/** Runbook commands change the board's "recent commands"; lifecycle commands refresh it themselves. */
export function ranRunbookCommand(outcomes: Outcome[]): boolean {
  return outcomes.some(
    (outcome) => outcome.details && 'target' in outcome.details && outcome.status !== 'refused',
  );
}

async function handleLine(line: CommandLine, context: CommentContext): Promise<Outcome> {
  const { deps } = context;
  const issueNumber = context.issue.number;
  const bound = bindCommand(line, context.registry);
  if (!bound.ok) {
    await deps.github.createComment(issueNumber, renderCommandError(bound.error));
    return { status: 'refused', reason: 'invalid-command', command: line.name, message: bound.error.message };
  }
  const { command } = bound;
  const required = requiredPermission(command.spec, deps);
  const decision = await context.authorizer.authorize(context.user, required);
  if (!decision.allowed) {
    await deps.github.createComment(issueNumber, renderRefusal(line.text, decision.message));
    return {
      status: 'refused',
      reason: decision.reason,
      command: command.spec.name,
      message: decision.message,
    };
  }
  deps.log(`@${context.user} may run /${command.spec.name}: ${decision.because}`);
  if (command.spec.name === 'help') return help(context);
  if (command.spec.name === 'confirm') return confirm(String(command.args.code), context);
  if (command.spec.source === 'lifecycle') {
    return handleLifecycle(
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
  }
  return runOrHold(command, context);
}

async function help(context: CommentContext): Promise<Outcome> {
  const { deps } = context;
  const entries = [];
  for (const spec of context.registry.values()) {
    const required = requiredPermission(spec, deps);
    if ((await context.authorizer.authorize(context.user, required)).allowed) {
      entries.push({ spec, destructive: context.runbook.commands[spec.name]?.destructive ?? false });
    }
  }
  await deps.github.createComment(
    context.issue.number,
    renderHelp(context.user, entries, context.runbookSource),
  );
  return { status: 'success', reason: 'help', command: 'help', message: `listed ${entries.length} commands` };
}

async function runOrHold(command: BoundCommand, context: CommentContext): Promise<Outcome> {
  const { deps, comment, issue } = context;
  const planned = planCommand(
    command,
    context.runbook,
    deps.settings.ssh,
    deps.settings.commandTimeoutSeconds,
  );
  if (!planned.ok) {
    await deps.github.createComment(issue.number, renderRefusal(command.line.text, planned.message));
    return {
      status: 'error',
      reason: 'invalid-target',
      command: command.spec.name,
      message: planned.message,
    };
  }
  const { plan } = planned;
  if (deps.settings.dryRun) {
    await deps.github.createComment(
      issue.number,
      renderPlan(plan, `### 📝 Dry run: \`/${plan.command}\` would run`) +
        '\nNothing was executed (`dry-run: true`).',
    );
    return {
      status: 'planned',
      reason: 'dry-run',
      command: plan.command,
      message: 'dry run: plan posted, nothing executed',
      details: { plan },
    };
  }
  if (plan.destructive) {
    const code = confirmationCode(comment.id, plan.command, plan.args);
    const expiresAt = new Date(deps.now().getTime() + CONFIRMATION_MINUTES * 60_000);
    await deps.github.createComment(
      issue.number,
      renderPendingConfirmation({
        plan,
        code,
        planHash: planHash(plan),
        requestedBy: context.user,
        sourceCommentId: comment.id,
        expiresAt,
      }),
    );
    return {
      status: 'planned',
      reason: 'awaiting-confirmation',
      command: plan.command,
      message: `waiting for /confirm ${code}`,
      details: { code },
    };
  }
  return execute(plan, { user: context.user, commentId: comment.id, commentUrl: comment.htmlUrl }, context);
}

async function confirm(code: string, context: CommentContext): Promise<Outcome> {
  const { deps, comment } = context;
  const issueNumber = context.issue.number;
  const refuse = async (message: string): Promise<Outcome> => {
    await deps.github.createComment(issueNumber, renderRefusal(`/confirm ${code}`, message));
    return { status: 'refused', reason: 'confirmation', command: 'confirm', message };
  };
  const comments = await deps.github.listComments(issueNumber);
  const own = comments.filter((comment) => comment.author === deps.selfLogin);
  const holder = own.find((comment) => {
    const marker = readMarker(comment.body);
    return marker?.type === 'pending' && marker.code === code;
  });
  const pending = holder ? readMarker(holder.body) : undefined;
  if (!holder || pending?.type !== 'pending') {
    return refuse(`No command on this issue waits for the code \`${code}\`.`);
  }
  if (pending.confirmedBy)
    return refuse(`That code was already used by @${pending.confirmedBy}; a code runs its command once.`);
  if (new Date(pending.expiresAt) < deps.now()) {
    return refuse(
      `The code \`${code}\` expired at ${pending.expiresAt}. Post the command again to get a new plan.`,
    );
  }
  const spec = context.registry.get(pending.command);
  const definition = context.runbook.commands[pending.command];
  if (!spec || !definition) return refuse(`\`/${pending.command}\` is no longer in the runbook.`);
  const decision = await context.authorizer.authorize(context.user, requiredPermission(spec, deps));
  if (!decision.allowed) return refuse(decision.message);
  // The arguments come from our own marker, but the runbook may have changed since: check again.
  for (const arg of spec.args) {
    const value = pending.args[arg.name];
    if (value === undefined || typeof value === 'boolean') continue;
    const checked = checkValue(arg, String(value));
    if (!checked.ok) return refuse(`The held command no longer passes the runbook: ${checked.message}.`);
  }
  const line: CommandLine = { name: pending.command, rest: '', line: 0, text: `/${pending.command}` };
  const planned = planCommand(
    { spec, args: pending.args, line },
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
  const consumed = { ...pending, confirmedBy: context.user };
  await deps.github.updateComment(
    holder.id,
    replaceMarker(holder.body, consumed, `✅ Confirmed by @${context.user}; running now.`),
  );
  return execute(
    planned.plan,
    {
      user: pending.requestedBy,
      confirmedBy: context.user,
      commentId: comment.id,
      commentUrl: comment.htmlUrl,
    },
    context,
  );
}

async function execute(plan: Plan, request: ExecutionRequest, context: CommentContext): Promise<Outcome> {
  const { deps } = context;
  const warnings = deps.settings.ssh.insecureSkipHostKeyCheck
    ? [
        'Host key checking is **off** (`ssh-insecure-skip-host-key-check: true`): this run cannot tell the real host from an impostor.',
      ]
    : [];
  for (const warning of warnings) deps.warn(warning);
  const record = await executePlan(plan, request, {
    github: deps.github,
    issueNumber: context.issue.number,
    createExecutor: deps.createExecutor,
    knownSecrets: deps.secrets,
    runUrl: deps.runUrl,
    warnings,
    log: deps.log,
  });
  const reason = {
    success: 'executed',
    failure: 'step-failed',
    timeout: 'timeout',
    'ssh-error': 'ssh-error',
    running: 'running',
  }[record.status];
  return {
    status: record.status === 'success' ? 'success' : 'failure',
    reason,
    command: plan.command,
    exitCode: record.exitCode,
    message: redact(record.summary || `/${plan.command} ${record.status}`, deps.secrets).text,
    details: { ...record, target: plan.target, args: plan.args },
  };
}

/** Read-only commands need only their own level; every other one also the `permission` input's floor. */
function requiredPermission(spec: CommandSpec, deps: Dependencies): Permission {
  return spec.readOnly ? spec.permission : higherOf(deps.settings.permission, spec.permission);
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
