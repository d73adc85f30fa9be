import type { RemoteExecutor, StepResult } from '../executor/port.ts';
import type { GitHubPort } from '../github/port.ts';
import { redact } from '../report/redact.ts';
import { renderResult, type CommandStatus, type ResultView, type StepView } from '../report/result.ts';
import type { Plan, Target } from '../runbook/plan.ts';

/** Least time between progress edits of a result comment; GitHub asks for ~1 s between writes. */
const PROGRESS_EDIT_INTERVAL_MS = 2000;

export interface ExecuteContext {
  github: GitHubPort;
  issueNumber: number;
  createExecutor: (target: Target) => RemoteExecutor;
  knownSecrets: string[];
  runUrl: string;
  warnings: string[];
  log: (message: string) => void;
}

export interface ExecutionRequest {
  user: string;
  confirmedBy?: string;
  commentId: number;
  commentUrl: string;
}

export interface ExecutionRecord {
  status: CommandStatus;
  exitCode: number | undefined;
  commentUrl: string;
  durationMs: number;
  summary: string;
  /** Each step that ran, with its redacted output. */
  steps: {
    name: string;
    outcome: StepResult['outcome'];
    exitCode: number | undefined;
    durationMs: number;
    output: string;
  }[];
}

/**
 * Runs a plan's steps in order over one connection. The result comment is posted before the
 * first step and edited as each finishes, so the issue always shows where the command is.
 */
export async function executePlan(
  plan: Plan,
  request: ExecutionRequest,
  context: ExecuteContext,
): Promise<ExecutionRecord> {
  const started = performance.now();
  const steps: StepView[] = [
    ...plan.steps.map((step) => ({ step, kind: 'step' as const, result: undefined })),
    ...(plan.check ? [{ step: plan.check, kind: 'check' as const, result: undefined }] : []),
  ];
  const view: ResultView = {
    plan,
    status: 'running',
    requestedBy: request.user,
    confirmedBy: request.confirmedBy,
    sourceCommentId: request.commentId,
    sourceCommentUrl: request.commentUrl,
    runUrl: context.runUrl,
    steps,
    durationMs: 0,
    exitCode: undefined,
    warnings: context.warnings,
    summary: '',
  };
  const render = () => redact(renderResult(view), context.knownSecrets).text;
  const comment = await context.github.createComment(context.issueNumber, render());
  let lastEdit = performance.now();

  let failed: { view: StepView; result: StepResult } | undefined;
  let executor: RemoteExecutor | undefined;
  try {
    executor = context.createExecutor(plan.target);
    for (const entry of steps) {
      if (failed) break;
      const step = entry.step;
      context.log(`/${plan.command}: ${entry.kind} "${step.name}" on ${plan.target.host}`);
      const raw = await executor.run(step.script, plan.timeoutSeconds);
      // Redacted before anything is cut or shown, so no cut can split a secret past the patterns.
      const result = { ...raw, output: redact(raw.output, context.knownSecrets).text };
      entry.result = result;
      context.log(
        `  → ${result.outcome}, exit ${result.exitCode}, ${result.durationMs} ms, ${result.totalBytes} bytes\n${result.output}`,
      );
      const stops =
        result.outcome === 'ssh-error' ||
        result.outcome === 'timeout' ||
        (result.outcome === 'failed' && !step.continueOnError);
      if (stops) failed = { view: entry, result };
      view.durationMs = performance.now() - started;
      // Quick steps are shown together in the final edit; a slow command shows its progress.
      const sinceEdit = performance.now() - lastEdit;
      if (entry !== steps.at(-1) && !failed && sinceEdit >= PROGRESS_EDIT_INTERVAL_MS) {
        await context.github.updateComment(comment.id, render());
        lastEdit = performance.now();
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const entry = steps.find((candidate) => !candidate.result) ?? steps[0];
    if (entry) {
      entry.result = {
        outcome: 'ssh-error',
        exitCode: undefined,
        output: '',
        totalBytes: 0,
        omittedBytes: 0,
        durationMs: 0,
        sshError: redact(message, context.knownSecrets).text,
      };
      failed = { view: entry, result: entry.result };
    }
  } finally {
    await executor?.close();
  }

  const last = [...steps].reverse().find((entry) => entry.result)?.result;
  view.durationMs = performance.now() - started;
  const tolerated = steps.filter(
    (entry) => entry.result && entry.result.outcome !== 'ok' && entry !== failed?.view,
  );
  view.exitCode = failed?.result.exitCode ?? tolerated.at(-1)?.result?.exitCode ?? last?.exitCode;
  view.status = failed ? statusOf(failed.result) : tolerated.length > 0 ? 'failure' : 'success';
  view.summary = [
    failed ? explain(failed.view, failed.result, plan.target, failed.view === steps.at(-1)) : '',
    tolerated.length > 0 ? `**Failed:** ${tolerated.map((entry) => `“${entry.step.name}”`).join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  await context.github.updateComment(comment.id, render());
  return {
    status: view.status,
    exitCode: view.exitCode,
    commentUrl: comment.htmlUrl,
    durationMs: Math.round(view.durationMs),
    summary: view.summary,
    steps: steps.flatMap(({ step, result }) =>
      result
        ? [
            {
              name: step.name,
              outcome: result.outcome,
              exitCode: result.exitCode,
              durationMs: result.durationMs,
              output: result.output,
            },
          ]
        : [],
    ),
  };
}

function statusOf(result: StepResult): CommandStatus {
  if (result.outcome === 'ssh-error') return 'ssh-error';
  if (result.outcome === 'timeout') return 'timeout';
  return 'failure';
}

function explain(entry: StepView, result: StepResult, target: Target, isLast: boolean): string {
  const name = `“${entry.step.name}”`;
  const rest = isLast ? '' : '; the steps after it did not run';
  switch (result.outcome) {
    case 'ssh-error':
      return `**Could not run ${name} on ${target.host}:** ${result.sshError ?? 'ssh failed'}`;
    case 'timeout':
      return `**${name} timed out** after ${Math.round(result.durationMs / 1000)} s and was stopped on the host${rest}.`;
    default:
      return `**${name} exited with ${result.exitCode}**${rest}.`;
  }
}
