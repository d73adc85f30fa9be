import type { StepResult } from '../executor/port.ts';
import type { Plan, PlannedStep } from '../runbook/plan.ts';
import { codeBlock, COMMENT_LIMIT, formatMs, headAndTail, inline, printableOutput } from './markdown.ts';
import { writeMarker } from './marker.ts';

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
  sourceCommentId: number;
  sourceCommentUrl: string;
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

/** The result comment of one command, always within GitHub's comment size limit. */
export function renderResult(view: ResultView): string {
  let budget = 20_000;
  for (;;) {
    const body = renderWithBudget(view, budget);
    if (body.length <= COMMENT_LIMIT || budget < 200) return body.slice(0, COMMENT_LIMIT);
    budget = Math.floor(budget * 0.7);
  }
}

function renderWithBudget(view: ResultView, outputBudget: number): string {
  const { plan } = view;
  const args = Object.entries(plan.args)
    .map(([name, value]) => `${name}=${inline(String(value), 80)}`)
    .join(' ');
  const lines = [
    `### ${STATUS_LINE[view.status]}: \`/${plan.command}${args ? ' ' + args : ''}\``,
    '',
    ...view.warnings.map((warning) => `> [!WARNING]\n> ${warning}\n`),
    '| | |',
    '|---|---|',
    `| Requested by | @${view.requestedBy}${view.confirmedBy ? `, confirmed by @${view.confirmedBy}` : ''} in [this comment](${view.sourceCommentUrl}) |`,
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
    lines.push(
      '<details' + (result.outcome === 'ok' ? '' : ' open') + '>',
      `<summary>${STEP_ICON[result.outcome]} ${label} (${meta})</summary>`,
      '',
      codeBlock(headAndTail(printableOutput(result.output) || '(no output)', perStep)),
      '',
      '</details>',
    );
  }
  lines.push(
    '',
    writeMarker({
      type: 'result',
      command: plan.command,
      source: view.sourceCommentId,
      status: view.status,
      by: view.requestedBy,
    }),
  );
  return lines.join('\n');
}
