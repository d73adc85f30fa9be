import { z } from 'zod';
import { defineCommand, positional } from '../define.ts';
import { severityFromLabel } from '../../events/route.ts';
import { defineFact } from '../../records/fact.ts';
import { renderSeverity } from '../../report/lifecycle.ts';
import { done, factBy, LIFECYCLE_PERMISSION, notDone } from './common.ts';
import { declarationPages } from './page.ts';

export const severityChanged = defineFact(
  'severity',
  { severity: z.string().regex(/^p[0-9]$/) },
  (next, fact, { log, responder, announce }) => {
    if (fact.severity !== next.severity) {
      announce('severity', fact.by, fact.severity);
      log(fact.by, `Severity ${next.severity?.toUpperCase()} → ${fact.severity.toUpperCase()}`);
      next.severity = fact.severity;
    }
    responder(fact.by);
  },
);

export const severity = defineCommand({
  name: 'severity',
  reason: '/severity recorded',
  description: 'Change the severity (relabels the issue, recomputes the targets)',
  permission: LIFECYCLE_PERMISSION,
  args: {
    level: positional({
      description: 'p0, p1, p2 or p3',
      pattern: '^[pP][0-9]$',
      maxLength: 2,
      required: true,
      as: z.string().transform((level) => level.toLowerCase()),
    }),
  },
  facts: [severityChanged],
  handle(input) {
    const level = input.args.level;
    const target = input.runbook.severities[level];
    const line = `/severity ${level}`;
    if (!target)
      return notDone(
        'severity',
        line,
        `\`${level.toUpperCase()}\` is not a severity in this runbook (${Object.keys(input.runbook.severities).join(', ')}).`,
      );
    const current = input.snapshot.incident.severity;
    if (level === current)
      return notDone('severity', line, `The incident is already ${level.toUpperCase()}.`);
    const prefix = input.settings.labelPrefix;
    return done('severity', `severity is now ${level.toUpperCase()}`, [
      {
        kind: 'labels',
        remove: input.issue.labels.filter((label) => severityFromLabel(label, prefix)),
        add: [`${prefix}${level}`],
      },
      {
        kind: 'reply',
        text: renderSeverity({ from: current, to: level, severity: target, by: input.actor }),
        record: severityChanged.record({ ...factBy(input), severity: level }),
      },
      // A raise (P2 → P0) to a severity that pages someone not paged yet pages them now.
      ...(current && Number(level.slice(1)) >= Number(current.slice(1))
        ? []
        : declarationPages({
            runbook: input.runbook,
            severity: level,
            escalation: input.settings.escalation,
            snapshot: input.snapshot,
            by: input.actor,
            raised: true,
            now: input.now,
          })
      ).map((page) => ({ kind: 'reply' as const, text: page.text, record: page.record })),
    ]);
  },
});
