import type { StepResult } from '../executor/port.ts';
import { evaluateMetrics, formatThreshold, type Metrics } from '../incident/verify.ts';

/**
 * What a command's steps found: the part of a result a person at 3 a.m. reads first. Pure.
 *
 * A diagnostic command only looks, so what it finds unhealthy is a finding, not a failure: a step
 * that exits non-zero (a health endpoint answering 503), output with ERROR lines, a threshold
 * breached. A step that could not run at all (no connection, a timeout, a program that is not
 * there) is a failure of the command, and is never a finding.
 */
export interface Finding {
  /** The step that found it. */
  step: string;
  /** What it found, in the host's own words (shown only through `echo`). */
  text: string;
}

export interface StepOutcome {
  step: { name: string; metrics?: Metrics | undefined };
  result: StepResult | undefined;
}

/** Exit codes a shell gives when it could not run the program at all. */
const COULD_NOT_RUN_EXIT = new Set([126, 127]);

/** The log levels that mean something went wrong, as loggers print them. */
const ERROR_LINE = /\b(ERROR|FATAL|CRITICAL|PANIC|EMERG|ALERT)\b[:\]]?\s*|\blevel=(?:error|fatal|panic)\b\s*/;

/** Longest finding text kept: the result links to the whole output. */
const FINDING_CHARS = 240;

/** True when a step's failure means it could not look, rather than that it found something. */
export function couldNotRun(result: StepResult): boolean {
  return (
    result.outcome === 'ssh-error' ||
    result.outcome === 'timeout' ||
    (result.exitCode !== undefined && COULD_NOT_RUN_EXIT.has(result.exitCode))
  );
}

/** Lines of the output logged at an error level, each as its message (the text after the level). */
export function errorLines(output: string): string[] {
  return output.split('\n').flatMap((line) => {
    const match = ERROR_LINE.exec(line);
    if (!match) return [];
    const message = line.slice(match.index + match[0].length).trim();
    return [message || line.trim()];
  });
}

/**
 * The reason a step's output gives for what is wrong: a health endpoint's JSON (`problems`,
 * `errors`, `reason`, `error`, `message`), else the last line that says something failed, else
 * the last line. Undefined for empty output.
 */
export function reasonIn(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  for (const line of lines) {
    const reason = jsonReason(line);
    if (reason) return clip(reason);
  }
  const telling = lines.filter((line) =>
    /error|fail|refused|denied|unhealthy|not found|no such|cannot|could not|unable|timed? ?out/i.test(line),
  );
  const chosen = telling.at(-1) ?? lines.at(-1);
  return chosen ? clip(chosen) : undefined;
}

function jsonReason(line: string): string | undefined {
  const start = line.indexOf('{');
  const end = line.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  for (const key of ['problems', 'errors', 'reason', 'error', 'message', 'detail']) {
    const field = object[key];
    if (typeof field === 'string' && field.trim()) return field.trim();
    if (Array.isArray(field)) {
      const texts = field.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
      if (texts.length > 0) return texts.join('; ');
    }
  }
  const status = object['status'];
  return typeof status === 'string' && !/^(ok|healthy|up|pass)$/i.test(status)
    ? `status ${status}`
    : undefined;
}

function clip(text: string): string {
  const chars = [...text];
  return chars.length > FINDING_CHARS ? `${chars.slice(0, FINDING_CHARS).join('')}…` : text;
}

/** What each step that ran found, in step order. Steps that could not run are left to the caller. */
export function findingsOf(steps: readonly StepOutcome[]): Finding[] {
  const findings: Finding[] = [];
  for (const { step, result } of steps) {
    if (!result || couldNotRun(result)) continue;
    if (result.outcome === 'failed') {
      const reason = reasonIn(result.output);
      findings.push({
        step: step.name,
        text: `exit ${result.exitCode ?? '—'}${reason ? `: ${reason}` : ''}`,
      });
      continue;
    }
    if (step.metrics) {
      for (const threshold of evaluateMetrics(result.output, step.metrics)) {
        if (!threshold.healthy) findings.push({ step: step.name, text: clip(formatThreshold(threshold)) });
      }
      continue;
    }
    const errors = errorLines(result.output);
    if (errors.length > 0) {
      const distinct = [...new Set(errors)];
      findings.push({
        step: step.name,
        text: clip(
          `${errors.length} error line${errors.length === 1 ? '' : 's'}${distinct.length < errors.length ? ` (${distinct.length} distinct)` : ''}: ${distinct[0]}`,
        ),
      });
    }
  }
  return findings;
}
