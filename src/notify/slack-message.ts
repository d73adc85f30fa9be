import { humanDuration } from '../incident/sla.ts';
import type { Change } from '../incident/state.ts';
import type { Announcement } from './port.ts';

/** The parts of Block Kit this message uses (what Slack's incoming webhooks accept). */
export type SlackText =
  | { type: 'plain_text'; text: string; emoji?: boolean }
  | { type: 'mrkdwn'; text: string; verbatim?: boolean };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** The plain-text fallback: notifications, screen readers, clients without blocks. */
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

/** Slack's limits: a header's text, a section's text, a field's text. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

const SEVERITY_ICON: Record<string, string> = { p0: '🔴', p1: '🟠', p2: '🟡', p3: '🔵' };

/**
 * Text from GitHub (a title, an update) as Slack shows it, never as Slack markup: `&`, `<` and `>`
 * are the only characters Slack parses for mentions and links (`<!channel>`, `<@U123>`,
 * `<https://…|…>`), so escaping them makes a hostile title inert. Control characters go.
 */
export function slackEscape(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (char) => (char === '\n' ? '\n' : ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Cut to `max` UTF-16 units (Slack's count) without splitting an escape or a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > max - 1) break;
    kept += char;
  }
  return `${kept.replace(/&[a-z]*$/, '')}…`;
}

/** One line, without control characters. */
function plain(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A `plain_text` block shows `&lt;` as typed, so it cannot be escaped like mrkdwn; angle brackets
 * become look-alikes instead, and `<!channel>` reads as `‹!channel›`: visible, never a mention.
 */
function inert(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›');
}

function hhmm(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

/**
 * What a change says in a line (`headline`, in a digest) and in a header that already shows the
 * severity (`short`), with its details.
 */
export function describe(change: Change): { headline: string; short?: string; detail: string | undefined } {
  switch (change.event) {
    case 'declared':
      return {
        headline: `${change.text?.toUpperCase() ?? 'Incident'} declared`,
        short: 'Declared',
        detail: undefined,
      };
    case 'severity':
      return {
        headline: `Severity now ${change.text?.toUpperCase() ?? '?'}`,
        short: 'Severity changed',
        detail: undefined,
      };
    case 'commander':
      return { headline: `Commander: @${change.text ?? '?'}`, detail: undefined };
    case 'update':
      return { headline: 'Status update', detail: change.text };
    case 'mitigated':
      return { headline: 'Mitigated', detail: change.text };
    case 'resolved':
      return { headline: 'Resolved', detail: change.text };
    case 'reopened':
      return { headline: 'Reopened', detail: undefined };
  }
}

/**
 * The stakeholder message for one change (or a digest of several): severity, title, state,
 * commander, next update due and the link to the issue, in Block Kit with a plain-text fallback.
 * Pure; everything from GitHub is escaped.
 */
export function renderSlackMessage(announcement: Announcement): SlackMessage {
  const { changes, issue, severity, now } = announcement;
  const last = changes.at(-1);
  const icon = announcement.phase === 'resolved' ? '✅' : (SEVERITY_ICON[severity.key] ?? '⚪');
  const sev = severity.key.toUpperCase();
  const what =
    changes.length === 1 && last
      ? (describe(last).short ?? describe(last).headline)
      : `${changes.length} changes since the last message`;
  const title = plain(issue.title);
  const header = cut(inert(`${icon} ${sev} · ${what}: ${title}`), HEADER_MAX);
  const next =
    announcement.phase === 'resolved'
      ? 'none (resolved)'
      : announcement.nextUpdateDue
        ? announcement.nextUpdateDue.getTime() >= now.getTime()
          ? `${hhmm(announcement.nextUpdateDue)} (in ${humanDuration(announcement.nextUpdateDue.getTime() - now.getTime())})`
          : `overdue since ${hhmm(announcement.nextUpdateDue)}`
        : 'not set by the runbook';
  const lines = changes.map((change) => {
    const { headline, detail } = describe(change);
    const body = detail ? `\n>${slackEscape(cut(plain(detail), 1500))}` : '';
    return `*${slackEscape(headline)}* by ${slackEscape(`@${change.by}`)} at ${hhmm(change.at)}${body}`;
  });
  const fields: SlackText[] = [
    { type: 'mrkdwn', text: `*Severity*\n${sev} — ${slackEscape(severity.name)}` },
    { type: 'mrkdwn', text: `*State*\n${announcement.phase}` },
    {
      type: 'mrkdwn',
      text: `*Commander*\n${announcement.commander ? slackEscape(`@${announcement.commander}`) : 'none yet'}`,
    },
    { type: 'mrkdwn', text: `*Next update*\n${next}` },
  ].map((field) => ({ ...field, text: cut(field.text, FIELD_MAX) }) as SlackText);
  const link = `<${issue.url}|#${issue.number} ${cut(slackEscape(title), 200)}>`;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    // verbatim: what responders wrote is not turned into links, channel names or mentions.
    { type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), SECTION_MAX), verbatim: true } },
    { type: 'section', fields },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${link}${announcement.declaredAt ? ` · declared ${hhmm(announcement.declaredAt)}` : ''} · commands on the issue`,
          verbatim: true,
        },
      ],
    },
  ];
  const fallbackDetail = changes.length === 1 && last ? describe(last).detail : undefined;
  const text = cut(
    plain(
      `${sev} ${what}: ${title}${fallbackDetail ? ` — "${fallbackDetail}"` : ''} — state ${announcement.phase}, commander ${
        announcement.commander ? `@${announcement.commander}` : 'none yet'
      }, next update ${next} — ${issue.url}`,
    ),
    SECTION_MAX,
  );
  // The fallback is mrkdwn too when blocks are absent: escaped like the rest.
  return { text: slackEscape(text), blocks, unfurl_links: false, unfurl_media: false };
}
