import { formatDuration } from '../config/duration.ts';
import type { Runbook } from '../config/runbook.schema.ts';

export interface DeclarationView {
  severity: string;
  runbook: Runbook;
  declaredBy: string;
  declaredAt: Date;
}

/** The first comment on a newly declared incident: its severity and the targets that now apply. */
export function renderDeclaration(view: DeclarationView): string {
  const severity = view.runbook.severities[view.severity];
  const key = view.severity.toUpperCase();
  if (!severity) {
    const known = Object.keys(view.runbook.severities)
      .map((k) => k.toUpperCase())
      .join(', ');
    return `⚠️ **${key} is not a severity in this runbook** (it has ${known}). Relabel the issue with one of those.`;
  }
  const lines = [
    `## 🚨 Incident declared: ${key} — ${severity.name}`,
    '',
    `> ${severity.description}`,
    '',
    '| | Target |',
    '|---|---|',
    `| Acknowledge | within **${formatDuration(severity['acknowledge-within'])}** |`,
    `| Respond | within **${formatDuration(severity['respond-within'])}** |`,
  ];
  if (severity['update-every']) {
    lines.push(`| Status updates | every **${formatDuration(severity['update-every'])}** |`);
  }
  lines.push(
    '',
    `Declared by @${view.declaredBy} at ${view.declaredAt.toISOString().replace('.000Z', 'Z')} (UTC) for **${view.runbook.service}**.`,
    '',
    'Comment `/help` for the commands you may run.',
  );
  return lines.join('\n');
}
