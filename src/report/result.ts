import type { StepResult } from '../executor/port.ts';
import { evaluateMetrics, formatThreshold, metricsSource, type Metrics } from '../incident/verify.ts';
import type { Plan, PlannedStep } from '../runbook/plan.ts';
import {
  codeBlock,
  COMMENT_LIMIT,
  echo,
  formatMs,
  headAndTail,
  inline,
  printableOutput,
} from './markdown.ts';

export type CommandStatus = 'running' | 'success' | 'failure' | 'timeout' | 'ssh-error';

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
}

const STATUS_LINE: Record<CommandStatus, string> = {
  running: '⏳ Running',
  success: '✅ Succeeded',
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
  const lines = [
    `### ${STATUS_LINE[view.status]}: ${echo(`/${plan.command}${args ? ' ' + args : ''}`, 160)}`,
    '',
    ...view.warnings.map((warning) => `> [!WARNING]\n> ${warning}\n`),
    '| | |',
    '|---|---|',
    `| Requested by | @${view.requestedBy}${view.confirmedBy ? `, confirmed by @${view.confirmedBy}` : ''}${view.sourceCommentUrl ? ` in [this comment](${view.sourceCommentUrl})` : ' (initial assessment, on declaration)'} |`,
    `| Target | \`${plan.target.user}@${plan.target.host}:${plan.target.port}\` (${plan.target.name}) |`,
    `| Duration | ${formatMs(view.durationMs)} |`,
    `| Exit code | ${view.exitCode ?? '—'} |`,
    `| Full log | [workflow run](${view.runUrl}) |`,
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
    const meta = `exit ${result.exitCode ?? '—'}, ${formatMs(result.durationMs)}${result.omittedBytes > 0 ? `, ${result.totalBytes} bytes of output` : ''}`;
    if (step.metrics && result.outcome === 'ok') {
      lines.push(...metricsLines(label, meta, step.metrics, result.output));
      continue;
    }
    lines.push(
      '<details' + (result.outcome === 'ok' ? '' : ' open') + '>',
      `<summary>${STEP_ICON[result.outcome]} ${label} (${meta})</summary>`,
      '',
      codeBlock(headAndTail(printableOutput(result.output) || '(no output)', perStep)),
      '',
      '</details>',
    );
  }
  return lines.join('\n');
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
