import type { RemoteExecutor, StepResult } from '../executor/port.ts';
import type { RecordContent } from '../records/codec.ts';
import { echo } from '../report/markdown.ts';
import { redact } from '../report/redact.ts';
import { couldNotRun, findingsOf, reasonIn, type Finding } from '../report/findings.ts';
import { renderResult, type CommandStatus, type ResultView, type StepView } from '../report/result.ts';
import { stopsAfter, withEnvironment, type Plan, type Target } from '../runbook/plan.ts';
import type { IssueWriter } from './writer.ts';

/** Least time between progress edits of a result comment; GitHub asks for ~1 s between writes. */
const PROGRESS_EDIT_INTERVAL_MS = 2000;

export interface ExecuteContext {
  writer: IssueWriter;
  issueNumber: number;
  now: () => Date;
  createExecutor: (target: Target) => RemoteExecutor;
  knownSecrets: string[];
  runUrl: string;
  warnings: string[];
  log: (message: string) => void;
  warn: (message: string) => void;
}

export interface ExecutionRequest {
  /** Who asked for the command. */
  user: string;
  /** Who confirmed it, for a held destructive command, and the code it ran under. */
  confirmedBy?: string;
  code?: string;
  /** The comment that started it; absent for the initial assessment, which a label started. */
  source: { id: number; url: string } | undefined;
}

export interface ExecutionRecord {
  status: CommandStatus;
  exitCode: number | undefined;
  commentUrl: string;
  durationMs: number;
  summary: string;
  /** What a diagnostic command found (empty for the others). */
  findings: Finding[];
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
    sourceCommentUrl: request.source?.url,
    runUrl: context.runUrl,
    steps,
    durationMs: 0,
    exitCode: undefined,
    warnings: context.warnings,
    summary: '',
  };
  const startedAt = context.now().toISOString();
  const record = (): RecordContent => ({
    kind: 'result',
    command: plan.command,
    ...(request.source ? { source: request.source.id } : {}),
    status: view.status,
    by: request.user,
    at: startedAt,
    ...(request.confirmedBy ? { confirmedBy: request.confirmedBy } : {}),
    ...(request.code ? { code: request.code } : {}),
    ...(view.findings && view.findings.length > 0
      ? {
          findings: view.findings.slice(0, MAX_RECORDED_FINDINGS).map(recordedFinding),
          findingCount: view.findings.length,
        }
      : {}),
  });
  const render = () => renderResult(view);
  // Posted before anything runs: if GitHub cannot take it, nothing runs unrecorded.
  const comment = await context.writer.post(context.issueNumber, render(), record());
  let lastEdit = performance.now();

  let failed: { view: StepView; result: StepResult } | undefined;
  let executor: RemoteExecutor | undefined;
  try {
    executor = context.createExecutor(plan.target);
    for (const entry of steps) {
      if (failed) break;
      const step = entry.step;
      context.log(`/${plan.command}: ${entry.kind} "${step.name}" on ${plan.target.host}`);
      // The executor cleans and redacts the whole stream before it keeps head and tail of it, so
      // what is shown, logged and output is one text, with no secret and no escape sequence.
      const result = await executor.run(withEnvironment(plan.target.env, step.script), plan.timeoutSeconds);
      entry.result = result;
      context.log(
        `  → ${result.outcome}, exit ${result.exitCode}, ${result.durationMs} ms, ${result.totalBytes} bytes\n${result.output}`,
      );
      // A diagnostic command only looks: a step that ran and found something never stops the others.
      if (stopsAfter(result, step) && !(plan.diagnostic && !couldNotRun(result)))
        failed = { view: entry, result };
      view.durationMs = performance.now() - started;
      // Quick steps are shown together in the final edit; a slow command shows its progress.
      const sinceEdit = performance.now() - lastEdit;
      if (entry !== steps.at(-1) && !failed && sinceEdit >= PROGRESS_EDIT_INTERVAL_MS) {
        // Progress is a courtesy: a failed edit never stops the remediation.
        await context.writer
          .edit(comment.id, context.issueNumber, render(), record())
          .catch((error: unknown) => {
            context.warn(`Could not show the progress of /${plan.command} on the issue: ${String(error)}`);
          });
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
  // A diagnostic command's steps that ran and found something are findings; the ones that could
  // not run are failures, as any command's are.
  const tolerated = steps.filter(
    (entry) =>
      entry.result &&
      entry.result.outcome !== 'ok' &&
      entry !== failed?.view &&
      !(plan.diagnostic && !couldNotRun(entry.result)),
  );
  // A finding quotes decoded text (a health answer's JSON): redacted again after decoding, so an
  // escaped secret the raw output hid never reaches the comment or its record.
  if (plan.diagnostic)
    view.findings = findingsOf(steps).map((finding) => ({
      step: finding.step,
      text: redact(finding.text, context.knownSecrets).text,
    }));
  view.exitCode = failed?.result.exitCode ?? tolerated.at(-1)?.result?.exitCode ?? last?.exitCode;
  view.status = failed
    ? statusOf(failed.result)
    : tolerated.length > 0
      ? 'failure'
      : view.findings && view.findings.length > 0
        ? 'findings'
        : 'success';
  view.summary = [
    failed
      ? redact(
          explain(failed.view, failed.result, plan.target, failed.view === steps.at(-1)),
          context.knownSecrets,
        ).text
      : '',
    tolerated.length > 0
      ? `**${plan.diagnostic ? 'Could not run' : 'Failed'}:** ${tolerated.map((entry) => `“${entry.step.name}”`).join(', ')}.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  await context.writer
    .edit(comment.id, context.issueNumber, render(), record())
    .catch(async (error: unknown) => {
      context.warn(`Could not edit the result of /${plan.command} (${String(error)}); posting it anew.`);
      await context.writer.post(context.issueNumber, render(), record()).catch((again: unknown) => {
        context.warn(`Could not post the result of /${plan.command} either: ${String(again)}`);
      });
    });
  return {
    status: view.status,
    exitCode: view.exitCode,
    commentUrl: comment.htmlUrl,
    durationMs: Math.round(view.durationMs),
    summary: view.summary,
    findings: view.findings ?? [],
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

/** A result records at most this many findings (the comment shows them all). */
const MAX_RECORDED_FINDINGS = 10;

function recordedFinding(finding: Finding): string {
  return `${finding.step}: ${finding.text}`.slice(0, 300);
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
      return `**Could not run ${name} on ${target.host}:** ${explainSsh(result)}`;
    case 'timeout':
      return `**${name} timed out** after ${Math.round(result.durationMs / 1000)} s and was stopped on the host${rest}.`;
    default: {
      const reason = reasonIn(result.output);
      return `**${name} exited with ${result.exitCode}**${rest}${reason ? `: ${echo(reason, 240)}` : '.'}`;
    }
  }
}

/** Our explanation of an ssh failure, with what ssh itself said echoed (it can come from the network). */
function explainSsh(result: StepResult): string {
  const said = result.sshSaid ? ` ssh said: ${echo(result.sshSaid, 300)}` : '';
  return `${result.sshError ?? 'ssh failed.'}${said}`;
}
