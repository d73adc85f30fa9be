import { formatDuration } from '../config/duration.ts';
import type { PostIncident, Severity } from '../config/runbook.schema.ts';
import { renderChecklist, type ActionItem, type Proofs } from './review.ts';
import { humanDuration, type SlaAssessment } from '../incident/sla.ts';
import type { Incident } from '../incident/state.ts';
import { commandOutcome } from '../incident/state.ts';
import { dayOf, echo, hhmm, utc } from './markdown.ts';
import { renderTimeline } from './timeline.ts';

/** The post-incident review is due this long after resolution (the runbook's 72 hours). */
export const REVIEW_WITHIN_MS = 72 * 3_600_000;

export interface PostmortemView {
  incident: Incident;
  severityKey: string;
  severity: Severity;
  sla: SlaAssessment;
  issue: { number: number; title: string; url: string };
  /** Due date of the post-incident review (72 hours after resolution). */
  reviewDue: Date;
  followUp: { number: number; url: string } | undefined;
  /** Lines describing the resolution verification, when /resolve ran it. */
  verification: string[];
  /** The runbook's checklists, ticked only where `proofs` show a recorded fact. */
  checklists: PostIncident & { fromRunbook: boolean };
  proofs: Proofs;
  /** The follow-up tasks, each with the sub-issue of the review that tracks it. */
  actionItems: (ActionItem & { issue?: number | undefined })[];
  /** Who owns the review (assigned on the review issue). */
  owner: string | undefined;
}

/** A postmortem following the SRE book's template, with everything computable filled in. Pure. */
export function renderPostmortem(view: PostmortemView): string {
  const { incident, severity, sla } = view;
  const declaredAt = incident.declaredAt ?? new Date(0);
  const impactStart = incident.impactStartAt ?? declaredAt;
  const impactEnd = incident.mitigatedAt ?? incident.resolvedAt;
  const since = (at: Date | undefined) => (at ? humanDuration(at.getTime() - declaredAt.getTime()) : '—');
  const verdict = (met: boolean | undefined) => (met === undefined ? '—' : met ? '✅ met' : '⚠️ missed');
  const roles = new Map<string, string[]>();
  const addRole = (login: string | undefined, role: string) => {
    if (!login) return;
    roles.set(login, [...(roles.get(login) ?? []), role]);
  };
  addRole(incident.declaredBy, 'declared');
  addRole(incident.commander, 'incident commander');
  addRole(incident.acknowledgedBy, 'acknowledged');
  addRole(incident.resolvedBy, 'resolved');
  // What each person did, from the records: the commands they ran and confirmed, their updates.
  const distinct = (names: string[]) => [...new Set(names)].map((name) => `\`/${name}\``).join(', ');
  for (const login of incident.responders) {
    // `/resolve` is there as "resolved" already.
    const ran = incident.commands
      .filter((command) => command.by === login && command.command !== 'resolve')
      .map((command) => command.command);
    const confirmed = incident.commands
      .filter((command) => command.confirmedBy === login)
      .map((command) => command.command);
    const updates = incident.updates.filter((update) => update.by === login).length;
    const named = incident.changes
      .filter((change) => change.event === 'commander' && change.by === login && change.text !== login)
      .map((change) => `@${change.text ?? ''}`);
    const mitigated = incident.changes.some((change) => change.event === 'mitigated' && change.by === login);
    const notes = incident.timeline.filter((entry) => entry.event === 'Note' && entry.actor === login).length;
    const paged = incident.pages.filter((page) => !page.auto && page.by === login).map((page) => page.name);
    if (named.length > 0) addRole(login, `named ${[...new Set(named)].join(', ')} commander`);
    if (ran.length > 0) addRole(login, `ran ${distinct(ran)}`);
    if (confirmed.length > 0) addRole(login, `confirmed ${distinct(confirmed)}`);
    if (updates > 0) addRole(login, `posted ${updates} status update${updates === 1 ? '' : 's'}`);
    if (notes > 0) addRole(login, `added ${notes} note${notes === 1 ? '' : 's'}`);
    if (paged.length > 0) addRole(login, `paged ${[...new Set(paged)].join(', ')}`);
    if (mitigated) addRole(login, 'marked it mitigated');
    if (!roles.has(login)) addRole(login, 'responder');
  }

  return [
    `# Postmortem: ${echo(view.issue.title)} (#${view.issue.number})`,
    '',
    `**Status:** draft for the post-incident review, due **${utc(view.reviewDue)}** (72 hours after resolution)${view.followUp ? ` in #${view.followUp.number}` : ''}.`,
    `**Severity:** ${view.severityKey.toUpperCase()} — ${severity.name} (${severity.description}).`,
    '',
    '## Summary',
    '',
    incident.resolutionSummary
      ? echo(incident.resolutionSummary, 2000)
      : '_One paragraph: what happened, who was affected, how it was fixed._',
    '',
    '## Impact',
    '',
    `- Impact window: ${utc(impactStart)} → ${impactEnd ? utc(impactEnd) : 'ongoing'}${impactEnd ? ` (${humanDuration(impactEnd.getTime() - impactStart.getTime())})` : ''}${incident.impactStartAt ? '' : ' (start of impact taken as the declaration; `/impact-start` back-dates it)'}`,
    '- Users and requests affected: _to be filled in from the metrics_',
    '',
    '## Root causes',
    '',
    '_What made this possible? Keep asking why until the answer is a process or a design._',
    '',
    ...findingsSection(incident),
    '## Trigger',
    '',
    '_What set it off (a deploy, a config change, a load spike …)?_',
    '',
    '## Resolution',
    '',
    ...(incident.forcedResolution
      ? ['⚠️ Resolved with `--force`: the resolution verification did not pass.', '']
      : []),
    ...(incident.closedByHand
      ? ['⚠️ The issue was closed by hand: the resolution was not verified.', '']
      : []),
    ...(view.verification.length > 0
      ? ['Resolution verification:', '', ...view.verification.map((line) => `- ${line}`), '']
      : []),
    '## Detection',
    '',
    `Declared by @${incident.declaredBy ?? 'unknown'} at ${utc(declaredAt)}${incident.impactStartAt ? `, ${humanDuration(declaredAt.getTime() - incident.impactStartAt.getTime())} after impact started` : ''}. _How was it noticed: an alert, a user, a person on call?_`,
    '',
    '## Action items',
    '',
    ...(view.actionItems.some((item) => item.issue !== undefined)
      ? [
          `Each is a sub-issue of the review${view.followUp ? ` (#${view.followUp.number})` : ''}: closing it is tracked there.`,
          '',
        ]
      : []),
    '| Action item | Type | Tracking |',
    '|---|---|---|',
    ...view.actionItems.map(
      (item) =>
        `| ${echo(item.title, 200, { table: true })}${item.link ? ` ([result](${item.link}))` : ''} | ${item.type} | ${item.issue !== undefined ? `#${item.issue}` : '—'} |`,
    ),
    '',
    '## Lessons learned',
    '',
    '### What went well',
    '',
    '### What went wrong',
    '',
    '### Where we got lucky',
    '',
    '## Timeline',
    '',
    renderTimeline(incident.timeline, { maxChars: 30_000 }),
    '',
    '## Supporting information',
    '',
    '### Response times',
    '',
    '| Measure | Time since declaration | Target | Result |',
    '|---|---|---|---|',
    `| Time to acknowledge | ${since(incident.acknowledgedAt)} | ${formatDuration(severity['acknowledge-within'])} | ${verdict(incident.acknowledgedAt ? !sla.acknowledge.breached : undefined)} |`,
    `| Time to mitigate | ${since(incident.mitigatedAt)} | ${formatDuration(severity['respond-within'])} (response time) | ${verdict(incident.mitigatedAt ? !sla.respond.breached : undefined)} |`,
    `| Time to resolve | ${since(incident.resolvedAt)} | — | — |`,
    `| Status updates | ${incident.updates.length} posted | ${severity['update-every'] ? `every ${formatDuration(severity['update-every'])}` : '—'} | ${incident.breaches.filter((b) => b.kind === 'update').length} missed |`,
    '',
    '### Responders',
    '',
    '| Responder | Roles |',
    '|---|---|',
    ...[...roles].map(([login, list]) => `| @${login} | ${list.join(', ')} |`),
    '',
    '### Commands run',
    '',
    ...(incident.commands.length > 0
      ? [
          `| UTC, ${dayOf(declaredAt)} | Command | By | Outcome |`,
          '|---|---|---|---|',
          ...(incident.commands.length > 100
            ? [`| … | ${incident.commands.length - 100} earlier commands left out | | |`]
            : []),
          ...incident.commands
            .slice(-100)
            .map(
              (c) =>
                `| ${hhmm(c.at, declaredAt)} | [\`/${c.command}\`](${c.url}) | @${c.by} | ${commandOutcome(c.status, c.findingCount ?? 0)} |`,
            ),
        ]
      : ['_No runbook command was run from the issue._']),
    '',
    ...publicUpdatesSection(incident),
    '### Phases',
    '',
    '```mermaid',
    renderPhaseChart(incident),
    '```',
    '',
    `## Post-incident checklists${view.checklists.fromRunbook ? ' (from the runbook)' : " (from the runbook's verification; add `post-incident` to the runbook for its own)"}`,
    '',
    'Ticked only where a recorded fact proves it.',
    '',
    '### Resolution verification',
    '',
    ...(view.checklists.resolution.length > 0
      ? renderChecklist(view.checklists.resolution, view.proofs)
      : ['_The runbook defines no verification._']),
    '',
    '### Communication',
    '',
    ...renderChecklist(view.checklists.communication, view.proofs),
    '',
    `### Post-incident review (within 72 hours: by ${utc(view.reviewDue)})`,
    '',
    view.followUp
      ? `In #${view.followUp.number}${view.owner ? `, assigned to @${view.owner}` : ''}: its review and documentation checklists are there, for the review to tick.`
      : '_No review issue could be opened: open one by hand._',
  ].join('\n');
}

/** The incident's phases as a Mermaid gantt chart (UTC). */
export function renderPhaseChart(incident: Incident): string {
  const at = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');
  const declared = incident.declaredAt ?? new Date(0);
  const end = incident.resolvedAt ?? incident.timeline.at(-1)?.at ?? declared;
  const lines = ['gantt', '  dateFormat YYYY-MM-DD HH:mm:ss', '  axisFormat %H:%M', '  section Incident'];
  if (incident.impactStartAt && incident.impactStartAt < declared) {
    lines.push(`  Impact before declaration :crit, impact, ${at(incident.impactStartAt)}, ${at(declared)}`);
  }
  const mitigated = incident.mitigatedAt && incident.mitigatedAt < end ? incident.mitigatedAt : undefined;
  lines.push(`  Investigating :active, investigating, ${at(declared)}, ${at(mitigated ?? end)}`);
  if (mitigated) lines.push(`  Mitigated :done, mitigated, ${at(mitigated)}, ${at(end)}`);
  lines.push('  section Milestones');
  if (incident.acknowledgedAt)
    lines.push(`  Acknowledged :milestone, acknowledged, ${at(incident.acknowledgedAt)}, 0m`);
  if (incident.resolvedAt) lines.push(`  Resolved :milestone, resolved, ${at(incident.resolvedAt)}, 0m`);
  return lines.join('\n');
}

/** What the diagnostic commands found, in the host's words: where the review starts looking. */
function findingsSection(incident: Incident): string[] {
  const found = incident.commands.filter((command) => (command.findings?.length ?? 0) > 0);
  if (found.length === 0) return [];
  // Each finding once (the first time it was seen), at most 30: the results have the rest.
  const seen = new Set<string>();
  const lines = found.flatMap((command) =>
    (command.findings ?? []).flatMap((finding) => {
      if (seen.has(finding)) return [];
      seen.add(finding);
      return [
        `- [${hhmm(command.at, incident.declaredAt)}](${command.url}) \`/${command.command}\`: ${echo(finding, 300)}`,
      ];
    }),
  );
  return [
    'What the diagnostic commands found:',
    '',
    ...lines.slice(0, 30),
    ...(lines.length > 30 ? [`- … and ${lines.length - 30} more in the commands' results`] : []),
    '',
  ];
}

/** What the public was told (`/status-page`), as it was published, and whether it was. */
function publicUpdatesSection(incident: PostmortemView['incident']): string[] {
  const updates = incident.publicUpdates;
  if (updates.length === 0) return [];
  const last = updates.at(-1);
  return [
    '### Public status updates',
    '',
    `| UTC, ${dayOf(updates[0]?.at ?? new Date(0))} | State | By | Text | Published |`,
    '|---|---|---|---|---|',
    ...updates.map(
      (update) =>
        `| [${hhmm(update.at, updates[0]?.at)}](${update.url}) | ${update.state} | @${update.by} | ${echo(update.text, 500, { table: true })} | ${update.published ? 'yes' : '⚠️ no'} |`,
    ),
    '',
    ...(last && last.state !== 'resolved'
      ? [`⚠️ The status page still says **${last.state}**: post \`/status-page resolved <text>\`.`, '']
      : last && !last.published
        ? [
            '⚠️ The last public update was not published: the page still shows an earlier state. Post it again with `/status-page`.',
            '',
          ]
        : []),
  ];
}
