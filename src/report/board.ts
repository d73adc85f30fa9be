import { commandOutcome } from '../incident/state.ts';
import { formatDuration } from '../config/duration.ts';
import type { Severity } from '../config/runbook.schema.ts';
import { humanDuration, missedTargets, type SlaAssessment, type Target } from '../incident/sla.ts';
import type { Incident, Phase } from '../incident/state.ts';
import type { DeliveryView } from '../notify/ledger.ts';
import { dayOf, echo, hhmm, utc } from './markdown.ts';

export interface BoardView {
  incident: Incident;
  severityKey: string;
  severity: Severity;
  sla: SlaAssessment;
  now: Date;
  issueTitle: string;
  /** Links to the action's comments that were altered after posting (their records are ignored). */
  tampered: string[];
  /** false when records are trusted by author alone. */
  sealed: boolean;
  /** What stakeholders' channel was told; undefined when no channel is set up. */
  delivery?: DeliveryView | undefined;
}

const PHASES: Phase[] = ['investigating', 'mitigated', 'resolved'];
const RECENT_COMMANDS = 5;
const PHASE_ICON: Record<Phase, string> = { investigating: '🔍', mitigated: '🩹', resolved: '✅' };

/** The status board: one comment, edited in place after every event. Pure. */
export function renderBoard(view: BoardView): string {
  const { incident, severity, sla, now } = view;
  const declaredAt = incident.declaredAt ?? now;
  // The date is said once, on the Declared row; the other times are clock times on that day.
  const clock = (at: Date) => `${hhmm(at, declaredAt)} UTC`;
  const phaseLine = PHASES.map((phase) => (phase === incident.phase ? `**${phase}**` : phase)).join(' → ');
  const lines = [
    `## ${PHASE_ICON[incident.phase]} ${view.severityKey.toUpperCase()} — ${severity.name} · ${incident.phase}`,
    '',
    `> ${severity.description}`,
    '',
    `Targets: acknowledge within **${formatDuration(severity['acknowledge-within'])}** · respond within **${formatDuration(severity['respond-within'])}**${severity['update-every'] ? ` · status update every **${formatDuration(severity['update-every'])}**` : ''}`,
    '',
    // The first row is the table's header: GitHub draws an empty header as a blank bar.
    `| State | ${phaseLine} |`,
    '|---|---|',
    `| Commander | ${incident.commander ? `@${incident.commander}` : '_none yet_ (`/commander @user`)'} |`,
    `| Responders | ${incident.responders.length > 0 ? incident.responders.map((login) => `@${login}`).join(', ') : '_none yet_'} |`,
    `| Declared | ${utc(declaredAt)} by ${incident.alert ? `Alertmanager (as @${incident.declaredBy ?? 'unknown'})` : `@${incident.declaredBy ?? 'unknown'}`} (${
      incident.resolvedAt
        ? `lasted ${humanDuration(incident.resolvedAt.getTime() - declaredAt.getTime())}`
        : `${humanDuration(now.getTime() - declaredAt.getTime())} ago`
    }) |`,
  ];
  if (incident.impactStartAt) lines.push(`| Impact started | ${clock(incident.impactStartAt)} |`);
  const publicLast = incident.publicUpdates.at(-1);
  if (publicLast)
    lines.push(
      `| Status page | **${publicLast.state}** since ${clock(publicLast.at)} (${incident.publicUpdates.length} public update${incident.publicUpdates.length === 1 ? '' : 's'}${publicLast.published ? '' : '; ⚠️ the last one is not published'}) |`,
    );
  // Names, never mentions: the board is edited all the time, and only a page's own comment pages.
  if (incident.pages.length > 0)
    lines.push(
      `| Paged | ${incident.pages
        .slice(-5)
        .map((page) => `${page.name} ${clock(page.at)}${page.auto ? ' (at declaration)' : ` by @${page.by}`}`)
        .join(' · ')} |`,
    );
  lines.push(
    `| Acknowledged | ${milestone(incident.acknowledgedAt, sla.acknowledge, declaredAt, now, incident.acknowledgedBy)} |`,
    `| Mitigated | ${milestone(incident.mitigatedAt, sla.respond, declaredAt, now)} |`,
    `| Resolved | ${incident.resolvedAt ? `${clock(incident.resolvedAt)} by @${incident.resolvedBy}${incident.forcedResolution ? ' (verification overridden with `--force`)' : ''}${incident.closedByHand ? ' (issue closed by hand)' : ''}` : '—'} |`,
  );
  if (incident.phase !== 'resolved' && sla.nextUpdateDue) {
    const due = sla.nextUpdateDue;
    lines.push(
      `| Next status update | ${sla.updateOverdue ? `⚠️ **overdue** since ${clock(due)} (${humanDuration(now.getTime() - due.getTime())})` : `due ${clock(due)} (in ${humanDuration(due.getTime() - now.getTime())})`} |`,
    );
  }
  const missed = missedTargets(incident, severity, sla);
  if (missed.length > 0) {
    lines.push(
      `| Missed targets | ${missed.map((target) => `${target.what} (due ${clock(target.due)})`).join(', ')} |`,
    );
  }
  if (incident.alert) lines.push('', ...alertSection(incident.alert, incident.silence));
  lines.push(
    '',
    '#### Initial response',
    '',
    `- [${incident.acknowledgedAt ? 'x' : ' '}] Acknowledge within ${formatDuration(severity['acknowledge-within'])} (\`/ack\`)`,
    `- [${incident.commander ? 'x' : ' '}] Assign an incident commander (\`/commander @user\`)`,
    `- [x] Tracking ticket: this issue`,
    `- [${incident.updates.length > 0 ? 'x' : ' '}] Status update posted on this issue (\`/update <text>\`)`,
    stakeholders(view.delivery),
  );
  const recent = incident.commands.slice(-RECENT_COMMANDS).reverse();
  if (recent.length > 0) {
    const heading =
      incident.commands.length > recent.length
        ? `#### Recent commands (the last ${recent.length} of ${incident.commands.length}; \`/timeline\` has them all)`
        : '#### Recent commands';
    lines.push(
      '',
      heading,
      '',
      `| UTC${incident.declaredAt ? `, ${dayOf(incident.declaredAt)}` : ''} | Command | By | Result |`,
      '|---|---|---|---|',
    );
    for (const command of recent) {
      lines.push(
        `| ${hhmm(command.at, incident.declaredAt)} | [\`/${command.command}\`](${command.url}) | @${command.by} | ${commandOutcome(command.status, command.findingCount ?? 0)} |`,
      );
    }
  }
  const latest = incident.updates.at(-1);
  if (latest)
    lines.push('', `#### Latest update (${clock(latest.at)}, @${latest.by})`, '', echo(latest.text, 1000));
  if (view.tampered.length > 0)
    lines.push(
      '',
      '> [!CAUTION]',
      `> ${view.tampered.length} of the action's comments were changed after the action posted them (${view.tampered
        .slice(0, 10)
        .map((url, index) => `[${index + 1}](${url})`)
        .join(
          ', ',
        )}${view.tampered.length > 10 ? ' …' : ''}). What they record is ignored: an edit by anyone but this action changes no state and no plan.`,
    );
  if (!view.sealed)
    lines.push(
      '',
      '> [!WARNING]',
      "> This incident's record is not sealed: no `record-secret` or `ssh-private-key` is configured, so anyone who can edit comments here could alter it.",
    );
  lines.push(
    '',
    `<sub>Board updated ${utc(now)}. Lifecycle: \`/ack\` \`/commander @user\` \`/severity pN\` \`/update <text>\` \`/mitigated\` \`/resolve [summary]\` \`/timeline\` · \`/help\` for runbook commands.</sub>`,
  );
  return lines.join('\n');
}

function milestone(at: Date | undefined, target: Target, declaredAt: Date, now: Date, by?: string): string {
  if (at) {
    const took = humanDuration(at.getTime() - declaredAt.getTime());
    return `${`${hhmm(at, declaredAt)} UTC`}${by ? ` by @${by}` : ''}, after ${took} ${target.breached ? `⚠️ (target ${`${hhmm(target.due, declaredAt)} UTC`} missed)` : '✅'}`;
  }
  return target.breached
    ? `⚠️ **not yet, target missed** (was due ${`${hhmm(target.due, declaredAt)} UTC`})`
    : `not yet (due by ${`${hhmm(target.due, declaredAt)} UTC`}, in ${humanDuration(target.due.getTime() - now.getTime())})`;
}

/** A link only for a plain http(s) URL; anything else is shown as text. */
function link(label: string, url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https?:\/\/[^\s()<>[\]`|]+$/.test(url) ? `[${label}](${url})` : `${label}: ${echo(url, 200)}`;
}

/** What Alertmanager last said about the group that opened the incident. */
function silenceRow(silence: Incident['silence']): string[] {
  if (!silence) return [];
  const name = silence.url ? `[${silence.id.slice(0, 8)}](${silence.url})` : `\`${silence.id.slice(0, 8)}\``;
  const state = silence.expiredAt
    ? `expired at ${utc(silence.expiredAt)} (the resolution)`
    : silence.expireError
      ? `⚠️ could not be expired (${echo(silence.expireError, 200, { table: true })}): expire it by hand`
      : `🔕 active until ${utc(silence.until)} or the resolution (set by @${silence.by} with \`/ack\`)`;
  return [`| Silence | ${name} ${state} |`];
}

function alertSection(alert: NonNullable<Incident['alert']>, silence: Incident['silence']): string[] {
  const sources = [link('Prometheus', alert.generatorUrl), link('Alertmanager', alert.externalUrl)].filter(
    (entry): entry is string => entry !== undefined,
  );
  return [
    `#### 🚨 Alert: ${alert.status === 'firing' ? 'firing' : 'resolved'} ([opened the incident](${alert.url}))`,
    '',
    `| Alert | ${alert.names.map((name) => echo(name, 100, { table: true })).join(', ')} |`,
    '|---|---|',
    ...(alert.summary ? [`| Summary | ${echo(alert.summary, 300, { table: true })} |`] : []),
    `| Firing | ${alert.firing} of ${alert.total} alert${alert.total === 1 ? '' : 's'} of the group |`,
    `| Started | ${utc(alert.startsAt)} (the impact start) |`,
    `| Notifications | ${alert.notifications}, last ${utc(alert.lastSeen)} (receiver ${echo(alert.receiver, 100, { table: true })}) |`,
    ...(sources.length > 0 ? [`| Source | ${sources.join(' · ')} |`] : []),
    ...(alert.previous ? [`| Previous incident | #${alert.previous} |`] : []),
    ...silenceRow(silence),
  ];
}

/**
 * Ticked only when the channel took every change owed to it (a delivery recorded in the board's
 * ledger); a failure says what Slack answered and that the next run tries again.
 */
function stakeholders(delivery: DeliveryView | undefined): string {
  if (!delivery)
    return '- [ ] Notify stakeholders: no channel is set up (`slack-webhook-url`), so tell them yourself';
  const told = `${delivery.channel} told of ${delivery.delivered} change${delivery.delivered === 1 ? '' : 's'}${
    delivery.deliveredAt ? `, last at ${utc(delivery.deliveredAt)}` : ''
  }`;
  if (delivery.refused && delivery.refused.count > 0 && delivery.owed === 0)
    return `- [ ] Notify stakeholders: ⚠️ **${delivery.channel} refused ${delivery.refused.count} change${delivery.refused.count === 1 ? '' : 's'}** (${echo(delivery.refused.error ?? 'malformed', 300)}): tell them yourself · ${told}`;
  if (delivery.failure)
    return `- [ ] Notify stakeholders: ⚠️ **${delivery.owed} change${delivery.owed === 1 ? '' : 's'} not delivered to ${delivery.channel}** (${echo(delivery.failure.error, 300)}, ${delivery.failure.attempts} attempt${delivery.failure.attempts === 1 ? '' : 's'} at ${utc(delivery.failure.at)}); the next run tries again${delivery.delivered > 0 ? ` · ${told}` : ''}`;
  if (delivery.owed > 0)
    return `- [ ] Notify stakeholders: ${delivery.owed} change(s) owed to ${delivery.channel}`;
  if (delivery.delivered === 0) return `- [ ] Notify stakeholders: nothing sent to ${delivery.channel} yet`;
  return `- [x] Notify stakeholders: ${told}`;
}
