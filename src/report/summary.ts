import type { Outcome } from '../outcome.ts';
import { echo } from './markdown.ts';

/** The job summary: one row per command handled in this run. */
export function renderSummary(outcome: Outcome): string {
  const commands = Array.isArray(outcome.details?.commands)
    ? (outcome.details.commands as Outcome[])
    : [outcome];
  return [
    '### Incident IssueOps',
    '',
    '| Command | Status | Reason | Exit code | Details |',
    '|---|---|---|---|---|',
    ...commands.map(
      (entry) =>
        `| ${entry.command ? `\`/${entry.command}\`` : '—'} | ${entry.status} | ${entry.reason} | ${entry.exitCode ?? '—'} | ${echo(entry.message, 300, { table: true })} |`,
    ),
    '',
  ].join('\n');
}
