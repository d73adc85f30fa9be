import type { Decision as Authorization } from '../authz/decide.ts';
import { bindCommand } from '../commands/bind.ts';
import type { CommandDefinition, HandlerInput } from '../commands/define.ts';
import { decided, type Decision } from '../commands/effects.ts';
import type { CommandLine } from '../commands/extract.ts';
import { commandRegistry } from '../commands/registry.ts';
import { requiredFor } from '../commands/runbook-command.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import type { Outcome } from '../outcome.ts';
import { renderInvalidRunbook, renderLineProblems, type LineProblem } from '../report/replies.ts';
import type { LoadedRunbook } from '../runbook/load.ts';
import type { Dependencies } from './dependencies.ts';
import { applyDecision } from './effects.ts';
import { incidentContext } from './finalize.ts';
import { loadIncident } from './incident.ts';

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

/**
 * Handles the commands of one claimed comment, in order, and returns one outcome per command.
 * Each line is bound, checked, decided by its command's handler and carried out; every line that
 * could not run is explained in one reply for the whole comment. It ends with the closing
 * reaction, which records that the comment is finished.
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
  // A broken runbook stops its own commands only: /help and the lifecycle commands go on, with
  // the severities (and verification) of the file where those parts are valid.
  const runbook = loaded.ok ? loaded.runbook : loaded.fallback;
  const runbookErrors = loaded.ok ? [] : loaded.errors;
  const registry = commandRegistry(runbook);
  const permissions = await permissionsOf(comment.author, registry, deps);
  const outcomes: Outcome[] = [];
  const problems: LineProblem[] = [];
  for (const line of comment.lines) {
    const decision =
      registry.has(line.name) || loaded.ok
        ? await decide(line, {
            comment,
            issue,
            deps,
            runbook,
            source: loaded.source,
            registry,
            permissions,
            runbookErrors,
          })
        : notWhileInvalid(line, loaded.source);
    const { outcome, problem } = await applyDecision(decision, deps, {
      issue,
      runbook,
      actor: comment.author,
      comment: { id: comment.id, url: comment.htmlUrl },
    });
    outcomes.push(outcome);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) {
    await deps.writer.post(
      issue.number,
      [
        renderLineProblems(problems, { url: comment.htmlUrl, total: comment.lines.length }),
        ...(outcomes.some((o) => o.reason === 'invalid-runbook')
          ? ['', renderInvalidRunbook(loaded.source, runbookErrors, STILL_WORKS)]
          : []),
      ].join('\n'),
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

/** What the commenter may run, command by command (their role and team looked up once). */
async function permissionsOf(
  user: string,
  registry: Map<string, CommandDefinition>,
  deps: Dependencies,
): Promise<Map<string, Authorization>> {
  const entries = await Promise.all(
    [...registry.values()].map(
      async (spec) =>
        [
          spec.name,
          await deps.authorizer.authorize(user, requiredFor(spec, deps.settings.permission)),
        ] as const,
    ),
  );
  return new Map(entries);
}

interface LineContext {
  comment: CommandComment;
  issue: IssueRef;
  deps: Dependencies;
  runbook: Runbook;
  source: string;
  registry: Map<string, CommandDefinition>;
  permissions: Map<string, Authorization>;
  runbookErrors: readonly string[];
}

const STILL_WORKS =
  'its commands cannot run until it is fixed; `/help` and the lifecycle commands still work';

/** A line naming a command the broken runbook would define (or a command no runbook defines). */
function notWhileInvalid(line: CommandLine, source: string): Decision {
  const message = `/${line.name} is not run: the runbook ${source} is invalid (what to fix is below)`;
  return decided({ status: 'error', reason: 'invalid-runbook', command: line.name, message }, [], {
    kind: 'error',
    line: line.text,
    message,
  });
}

/** Binds one line to its command, checks the commenter may run it, and asks its handler. */
async function decide(line: CommandLine, context: LineContext): Promise<Decision> {
  const { deps, registry } = context;
  const bound = bindCommand(line, registry);
  if (!bound.ok) {
    const { message, suggestion } = bound.error;
    return decided({ status: 'refused', reason: 'invalid-command', command: line.name, message }, [], {
      kind: 'invalid',
      line: line.text,
      message,
      suggestion,
    });
  }
  const definition = registry.get(bound.command.spec.name);
  const permission = context.permissions.get(bound.command.spec.name);
  if (!definition || !permission) throw new Error(`/${bound.command.spec.name} is not in the registry`);
  if (!permission.allowed) {
    return decided(
      { status: 'refused', reason: permission.reason, command: definition.name, message: permission.message },
      [],
      { kind: 'refused', line: line.text, message: permission.message },
    );
  }
  deps.log(`@${context.comment.author} may run /${definition.name}: ${permission.because}`);
  // The incident as it stands now: earlier lines of the same comment may have changed it.
  const snapshot = await loadIncident(context.issue, incidentContext(deps, context.runbook));
  const input: HandlerInput<Record<string, unknown>> = {
    args: definition.parse(bound.command.args),
    actor: context.comment.author,
    comment: { id: context.comment.id, url: context.comment.htmlUrl, body: context.comment.body },
    issue: context.issue,
    snapshot,
    runbook: context.runbook,
    settings: deps.settings,
    registry,
    permission: (spec) =>
      context.permissions.get(spec.name) ?? {
        allowed: false,
        reason: 'permission',
        message: `/${spec.name} is not a command here.`,
      },
    runUrl: deps.runUrl,
    runbookSource: context.source,
    runbookErrors: context.runbookErrors,
    secrets: deps.secrets,
    now: deps.now(),
  };
  return definition.handle(input);
}

/** Runbook commands change the board's "recent commands"; lifecycle commands refresh it themselves. */
export function ranRunbookCommand(outcomes: Outcome[]): boolean {
  return outcomes.some(
    (outcome) => outcome.details && 'target' in outcome.details && outcome.status !== 'refused',
  );
}
