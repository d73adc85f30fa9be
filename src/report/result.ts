import type { StepResult } from '../executor/port.ts';
import { evaluateMetrics, formatThreshold, metricsSource, type Metrics } from '../incident/verify.ts';
import type { Plan, PlannedStep } from '../runbook/plan.ts';
import { couldNotRun, errorLines, type Finding } from './findings.ts';
import {
  codeBlock,
  COMMENT_LIMIT,
  echo,
  formatMs,
  headAndTail,
  inline,
  printableOutput,
} from './markdown.ts';

export type CommandStatus = 'running' | 'success' | 'findings' | 'failure' | 'timeout' | 'ssh-error';

export interface StepView {
  step: PlannedStep;
  kind: 'step' | 'check';
  result: StepResult | undefined;
}

export interface ResultView {
  plan: Plan;
  status: CommandStatus;
  requestedBy: string;
  confirmedBy: string | undefined;
  /** The comment that asked; absent for the initial assessment, which a label started. */
  sourceCommentUrl: string | undefined;
  runUrl: string;
  steps: StepView[];
  durationMs: number;
  exitCode: number | undefined;
  warnings: string[];
  /** One sentence on why it ended this way, e.g. the ssh error or the failing step. */
  summary: string;
  /** What a diagnostic command found, shown first. */
  findings?: Finding[];
}

const STATUS_LINE: Record<CommandStatus, string> = {
  running: '⏳ Running',
  success: '✅ Succeeded',
  findings: '🔎 Found problems',
  failure: '❌ Failed',
  timeout: '⏱️ Timed out',
  'ssh-error': '🔌 Could not connect',
};

const STEP_ICON: Record<StepResult['outcome'], string> = {
  ok: '✅',
  failed: '❌',
  timeout: '⏱️',
  'ssh-error': '🔌',
};

/** Room left for the record the writer appends. */
const TEXT_LIMIT = COMMENT_LIMIT - 2_000;

/** The result comment of one command (its text; the writer adds the record), within GitHub's limit. */
export function renderResult(view: ResultView): string {
  let budget = 20_000;
  for (;;) {
    const body = renderWithBudget(view, budget);
    if (body.length <= TEXT_LIMIT || budget < 200) return body;
    budget = Math.floor(budget * 0.7);
  }
}

function renderWithBudget(view: ResultView, outputBudget: number): string {
  const { plan } = view;
  const args = Object.entries(plan.args)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
  const findings = view.findings ?? [];
  const lines = [
    `### ${headline(view, findings.length)}: ${echo(`/${plan.command}${args ? ' ' + args : ''}`, 160)}`,
    '',
    ...view.warnings.map((warning) => `> [!WARNING]\n> ${warning}\n`),
    ...(findings.length > 0
      ? [
          ...findings.map((finding) => `- ⚠️ **${inline(finding.step, 100)}**: ${echo(finding.text, 240)}`),
          '',
        ]
      : []),
    '| Requested by | Target | Duration | Exit code | Full log |',
    '|---|---|---|---|---|',
    `| @${view.requestedBy}${view.confirmedBy ? `, confirmed by @${view.confirmedBy}` : ''}${view.sourceCommentUrl ? ` in [this comment](${view.sourceCommentUrl})` : ' (initial assessment, on declaration)'} | \`${plan.target.user}@${plan.target.host}:${plan.target.port}\` (${plan.target.name}) | ${formatMs(view.durationMs)} | ${view.exitCode ?? '—'} | [workflow run](${view.runUrl}) |`,
    '',
  ];
  if (view.summary) lines.push(view.summary, '');
  const perStep = Math.floor(outputBudget / Math.max(1, view.steps.length));
  for (const { step, kind, result } of view.steps) {
    const label = `${kind === 'check' ? 'Check: ' : ''}${inline(step.name, 100)}`;
    if (!result) {
      lines.push(
        `- ${view.status === 'running' ? '⏳' : '⏭️'} ${label}${view.status === 'running' ? '' : ' (not run)'}`,
      );
      continue;
    }
    const errors = result.outcome === 'ok' ? errorLines(result.output).length : 0;
    const meta = `exit ${result.exitCode ?? '—'}, ${formatMs(result.durationMs)}${result.omittedBytes > 0 ? `, ${result.totalBytes} bytes of output` : ''}${errors > 0 ? `, ${errors} error line${errors === 1 ? '' : 's'}` : ''}`;
    if (step.metrics && result.outcome === 'ok') {
      lines.push(...metricsLines(label, meta, step.metrics, result.output));
      continue;
    }
    const icon = plan.diagnostic
      ? couldNotRun(result)
        ? STEP_ICON[result.outcome === 'failed' ? 'failed' : result.outcome]
        : result.outcome === 'failed' || errors > 0
          ? '⚠️'
          : '🔹'
      : errors > 0 && result.outcome === 'ok'
        ? '⚠️'
        : STEP_ICON[result.outcome];
    lines.push(
      '<details' + (result.outcome === 'ok' && errors === 0 ? '' : ' open') + '>',
      `<summary>${icon} ${label} (${meta})</summary>`,
      '',
      codeBlock(headAndTail(readable(printableOutput(result.output)) || '(no output)', perStep)),
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}

/**
 * The result's heading. A diagnostic command only looks: it reports what it found, never a
 * success or a failure for having found it; it fails only when a step could not run.
 */
function headline(view: ResultView, findings: number): string {
  if (!view.plan.diagnostic || (view.status !== 'success' && view.status !== 'findings'))
    return STATUS_LINE[view.status];
  return findings > 0 ? `🔎 ${findings} finding${findings === 1 ? '' : 's'}` : '🔎 Nothing unhealthy found';
}

/**
 * Output as a person reads it: a long one-line JSON document (a health answer) is indented. The
 * text is only re-spaced, never decoded, so an escape in it stays as the host wrote it (and what
 * the redaction saw is what is shown).
 */
export function readable(output: string): string {
  return output
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed.length < 100 || !trimmed.startsWith('{') || !trimmed.endsWith('}')) return line;
      try {
        JSON.parse(trimmed);
      } catch {
        return line;
      }
      // Deep nesting would indent quadratically: such a line is shown as it came.
      const indented = indentJson(trimmed);
      return indented === undefined || indented.length > trimmed.length * 3 ? line : indented;
    })
    .join('\n');
}

/** Indentation deeper than this is not readable anyway. */
const MAX_JSON_DEPTH = 12;

function indentJson(text: string): string | undefined {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[index + 1] ?? '';
        index += 1;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      if (text[index + 1] === close) {
        out += char + close;
        index += 1;
        continue;
      }
      depth += 1;
      if (depth > MAX_JSON_DEPTH) return undefined;
      out += char + newline();
    } else if (char === '}' || char === ']') {
      depth -= 1;
      out += newline() + char;
    } else if (char === ',') {
      out += ',' + newline();
    } else if (char === ':') {
      out += ': ';
    } else if (char !== ' ' && char !== '\t') {
      out += char;
    }
  }
  return out;
}

/**
 * A metrics step: each value against its threshold, the breaches first in the summary line; the
 * raw answers stay in the workflow log.
 */
function metricsLines(label: string, meta: string, metrics: Metrics, output: string): string[] {
  const evaluated = evaluateMetrics(output, metrics);
  const breached = evaluated.filter((threshold) => !threshold.healthy);
  const unmeasured = evaluated.filter((threshold) => threshold.healthy && threshold.value === undefined);
  const within = evaluated.length - breached.length - unmeasured.length;
  const notMeasured = unmeasured.length > 0 ? `, ${unmeasured.length} not measured (no samples)` : '';
  const headline =
    breached.length === 0
      ? `✅ ${label}: ${unmeasured.length === 0 ? `all ${within}` : within} within their thresholds${notMeasured}`
      : `⚠️ ${label}: ${breached.length} of ${evaluated.length} outside their thresholds (${breached.map((threshold) => inline(threshold.name, 60)).join(', ')})${notMeasured}`;
  return [
    '<details open>',
    `<summary>${headline} (${meta})</summary>`,
    '',
    `${metricsSource(metrics)}:`,
    '',
    ...evaluated.map((threshold) => `- ${formatThreshold(threshold)}`),
    '',
    '</details>',
  ];
}
