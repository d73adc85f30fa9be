import { z } from 'zod';
import type { StatusPageConfig } from '../config/runbook.schema.ts';
import { PUBLIC_STATES, type PublicState } from '../incident/state.ts';

/**
 * The public status page: `status.json` (what the page holds, read back and merged) and
 * `index.md` (what GitHub Pages shows). Only what responders marked public with `/status-page`
 * is on it: its state and text, and when. No title, no name, no log line of the incident.
 */
const iso = z.iso.datetime();
const entrySchema = z.object({
  id: z.number().int().positive(),
  startedAt: iso,
  state: z.enum(PUBLIC_STATES),
  updates: z.array(z.object({ at: iso, state: z.enum(PUBLIC_STATES), text: z.string().max(2000) })).max(200),
});

export const statusDocumentSchema = z.object({
  version: z.literal(1),
  title: z.string().max(200),
  updatedAt: iso,
  incidents: z.array(entrySchema).max(500),
});

export type StatusDocument = z.infer<typeof statusDocumentSchema>;
export type StatusEntry = z.infer<typeof entrySchema>;

/** How many incidents the page keeps (the newest); older ones give way. */
const KEEP = 50;

const LABEL: Record<PublicState, string> = {
  investigating: '🔴 Investigating',
  identified: '🟠 Identified',
  monitoring: '🟡 Monitoring',
  resolved: '🟢 Resolved',
};

/** The document with this incident's entry replaced (or added), newest incident first. */
export function mergeStatus(
  previous: StatusDocument | undefined,
  config: StatusPageConfig,
  entry: StatusEntry,
  now: Date,
): StatusDocument {
  const others = (previous?.incidents ?? []).filter((incident) => incident.id !== entry.id);
  const incidents = [entry, ...others]
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
    .slice(0, KEEP);
  return { version: 1, title: config.title, updatedAt: now.toISOString(), incidents };
}

/**
 * Responders' text as the page shows it literally: Jekyll runs Liquid, then renders Markdown and
 * HTML, so every character that could start any of them is escaped, and the text stays on one line.
 */
export function publicText(text: string): string {
  return (
    text
      .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]()#+\-.!|~:]/g, (char) => `\\${char}`)
      // Liquid (`{{`, `{%`) runs before Markdown on GitHub Pages: its characters become entities (after the
      // backslashes, whose `#` they would otherwise take).
      .replace(/[{}%]/g, (char) => `&#${char.charCodeAt(0)};`)
      .trim()
  );
}

function when(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
}

export function renderStatusMarkdown(document: StatusDocument): string {
  const open = document.incidents.filter((incident) => incident.state !== 'resolved');
  const lines = [
    `# ${publicText(document.title)}`,
    '',
    open.length === 0
      ? '**All systems operational.**'
      : `**${open.length === 1 ? 'An incident is' : `${open.length} incidents are`} under way.**`,
    '',
    `Updated ${when(document.updatedAt)}.`,
  ];
  for (const incident of document.incidents) {
    lines.push('', `## ${LABEL[incident.state]}: incident of ${when(incident.startedAt)}`, '');
    for (const update of [...incident.updates].reverse())
      lines.push(
        `- **${when(update.at)}, ${LABEL[update.state].split(' ')[1]}:** ${publicText(update.text)}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
