import { silenceUrl } from '../alerts/silence.ts';
import { formatDuration } from '../config/duration.ts';
import type { Severity } from '../config/runbook.schema.ts';
import { echo, utc } from './markdown.ts';

/** The replies of the lifecycle commands. Pure. */

export function renderAcknowledged(view: {
  by: string;
  since: string;
  due: Date | undefined;
  now: Date;
}): string {
  const verdict = view.due
    ? view.now <= view.due
      ? '✅ within target'
      : `⚠️ target was ${utc(view.due)}`
    : '';
  return `✅ **Acknowledged** by @${view.by}, ${view.since} after declaration ${verdict}.`.replace(
    / \.$/,
    '.',
  );
}

export function renderCommander(view: { commander: string; by: string }): string {
  return `🧭 **@${view.commander} is the incident commander** (set by @${view.by}; the issue is assigned to them).`;
}

export function renderSeverity(view: {
  from: string | undefined;
  to: string;
  severity: Severity;
  by: string;
}): string {
  const cadence = view.severity['update-every'];
  return `🔁 **Severity ${view.from?.toUpperCase()} → ${view.to.toUpperCase()} (${view.severity.name})** by @${view.by}. Targets now: respond within ${formatDuration(view.severity['respond-within'])}${cadence ? `, status update every ${formatDuration(cadence)}` : ''}.`;
}

/**
 * A page: the mentions come from the runbook (the only @-mentions the action writes); the note is
 * the responder's text, echoed, so it mentions no one.
 */
export function renderPage(view: {
  by: string;
  name: string;
  mentions: readonly string[];
  availability: string | undefined;
  note: string | undefined;
  severity: string | undefined;
  auto: boolean;
  acknowledgeBy?: Date | undefined;
  /** Who declared, when it was not a person (Alertmanager). */
  source?: string;
  /** A page on a raise of the severity, not on the declaration. */
  raised?: boolean;
}): string {
  const who = view.mentions.map((mention) => `@${mention}`).join(' ');
  const sev = view.severity ? `${view.severity.toUpperCase()} ` : '';
  const head = view.auto
    ? `📟 **Paging ${view.name}**${view.availability ? ` (${view.availability})` : ''}: ${who}, ${view.raised ? `this incident was raised to ${sev.trim()} by` : `a ${sev}incident was declared by`} ${view.source ?? `@${view.by}`}.`
    : `📟 **@${view.by} pages ${view.name}**${view.availability ? ` (${view.availability})` : ''}: ${who}, you are needed on this ${sev}incident.`;
  const ask = view.acknowledgeBy
    ? `Take it with \`/ack\` by ${utc(view.acknowledgeBy)}; the board above has the state and the targets.`
    : 'The board at the top has the state and the targets.';
  return [head, ...(view.note ? ['', `> ${echo(view.note, 500)}`] : []), '', ask].join('\n');
}

export function renderSilenced(view: {
  id: string;
  until: Date;
  matchers: Record<string, string>;
  externalUrl: string | undefined;
}): string {
  const url = silenceUrl(view.externalUrl, view.id);
  const link = url ? `[silence ${view.id.slice(0, 8)}](${url})` : `silence \`${view.id}\``;
  const matchers = Object.entries(view.matchers)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return `🔕 **Silenced in Alertmanager** until ${utc(view.until)}: ${link} for ${echo(matchers, 300)}. \`/resolve\` expires it.`;
}

export function renderNote(view: { by: string; text: string }): string {
  return `📝 **Note** from @${view.by}: ${echo(view.text, 2000)}`;
}

/** Characters of an offline entry's text kept in the record and shown. */
export const WHAT_CHARS = 160;

export function renderJournalReplay(view: {
  by: string;
  entries: { seq: number; at: string; by: string; what: string }[];
  skipped: number;
}): string {
  return [
    `📓 **Offline journal** replayed by @${view.by}: ${view.entries.length} entries on the timeline, marked offline${view.skipped > 0 ? ` (${view.skipped} already there)` : ''}. The hash chain of the journal is intact.`,
    '',
    '| # | When | Who | What |',
    '|---|---|---|---|',
    ...view.entries.map(
      (entry) =>
        `| ${entry.seq} | ${utc(new Date(entry.at))} | ${echo(entry.by, 40, { table: true })} | ${echo(entry.what, WHAT_CHARS, { table: true })} |`,
    ),
  ].join('\n');
}

export function renderUpdate(view: { by: string; text: string; nextDue: Date | undefined }): string {
  return `📣 **Status update** from @${view.by}: ${echo(view.text, 2000)}\n\n${view.nextDue ? `Next update due ${utc(view.nextDue)}.` : ''}`.trim();
}

export function renderMitigated(view: {
  by: string;
  since: string;
  due: Date | undefined;
  now: Date;
  note: string | undefined;
}): string {
  const target = view.due
    ? view.now <= view.due
      ? ', within the response target ✅'
      : `; the response target was ${utc(view.due)} ⚠️`
    : '';
  return `🩹 **Mitigated** (@${view.by}), ${view.since} after declaration${target}.${view.note ? `\n\nNote: ${echo(view.note, 2000)}` : ''}\n\nWhen the service is healthy, \`/resolve\` verifies it and closes the incident.`;
}

export function renderImpactStart(view: { at: Date; by: string }): string {
  return `⏪ **Impact started at ${utc(view.at)}** (set by @${view.by}).`;
}

export function renderVerificationFailed(lines: string[]): string {
  return [
    `❌ **Not resolved: the service is not healthy yet.**`,
    '',
    ...lines.map((line) => `- ${line}`),
    '',
    'The incident stays open. Fix what is listed, then `/resolve` again; `/resolve --force` resolves anyway and records the override.',
  ].join('\n');
}

/**
 * The resolution, in one line: the verification's own result comment has every check, and the
 * postmortem that follows has them too, so they are not repeated here.
 */
export function renderResolved(view: {
  by: string;
  forced: boolean;
  problems: string[];
  result: string | undefined;
  summary: string | undefined;
}): string {
  const result = view.result ? ` ([verification](${view.result}))` : '';
  return [
    view.forced
      ? `⚠️ **Resolved with \`--force\`** by @${view.by}: verification did not pass${view.problems.length > 0 ? ` (${echo(view.problems.join('; '), 500)})` : ''}${result}, and this is recorded.`
      : `✅ **Resolved** by @${view.by}: verification passed${result}. The postmortem follows.`,
    ...(view.summary ? ['', `Summary: ${echo(view.summary, 2000)}`] : []),
  ].join('\n');
}
