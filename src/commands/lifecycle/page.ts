import { z } from 'zod';
import type { Contact, Runbook } from '../../config/runbook.schema.ts';
import { mentionSchema } from '../../config/runbook.schema.ts';
import { humanDuration } from '../../incident/sla.ts';
import type { IncidentSnapshot } from '../../incident/snapshot.ts';
import type { Incident } from '../../incident/state.ts';
import { defineFact } from '../../records/fact.ts';
import { renderPage } from '../../report/lifecycle.ts';
import { utc } from '../../report/markdown.ts';
import { defineCommand, positional } from '../define.ts';
import { done, factBy, LIFECYCLE_PERMISSION, notDone } from './common.ts';

/** A role paged again this soon is refused: the first page is still ringing. */
export const REPAGE_AFTER_MS = 5 * 60_000;

/** The `escalation` input's people, paged at declaration when the runbook names no one. */
export const ESCALATION_ROLE = 'escalation';

export const paged = defineFact(
  'page',
  {
    role: z.string().min(1).max(40),
    name: z.string().min(1).max(80),
    mentions: z.array(mentionSchema).max(20),
    note: z.string().max(2000).optional(),
    auto: z.boolean(),
  },
  (next, fact, { at, log, responder }) => {
    next.pages = [
      ...next.pages,
      { at, by: fact.by, role: fact.role, name: fact.name, mentions: fact.mentions, auto: fact.auto },
    ];
    if (!fact.auto) responder(fact.by);
    const who = fact.mentions.map((mention) => `@${mention}`).join(', ');
    log(fact.by, `${fact.auto ? 'Paged at declaration' : 'Paged'}: ${fact.name} (${who})`, fact.note);
  },
);

/** Whom a declaration at `severity` pages: the runbook's contacts for it, or the escalation input. */
export function pagedAtDeclaration(
  runbook: Runbook,
  severity: string,
  escalation: readonly string[],
  incident: Incident,
): { role: string; name: string; mentions: string[]; availability?: string | undefined }[] {
  const already = new Set(incident.pages.map((page) => page.role));
  const contacts = Object.entries(runbook.contacts ?? {}).filter(([, contact]) =>
    contact.page.includes(severity),
  );
  const named = contacts.filter(([, contact]) => contact.mention.length > 0);
  const wanted =
    named.length > 0
      ? named.map(([role, contact]) => ({
          role,
          name: contact.name,
          mentions: contact.mention,
          availability: contact.availability,
        }))
      : // A role the runbook pages names no one (the built-in runbook's): the escalation input.
        contacts.length > 0 && escalation.length > 0
        ? [
            {
              role: ESCALATION_ROLE,
              name: contacts[0]![1].name,
              mentions: [...escalation],
              availability: contacts[0]![1].availability,
            },
          ]
        : [];
  return wanted.filter((page) => !already.has(page.role));
}

/**
 * The page comments a declaration (or a raise to `severity`) posts: one per role, each with its
 * record. Pure; the declaration flow posts them, `/severity` returns them as replies.
 */
export function declarationPages(view: {
  runbook: Runbook;
  severity: string;
  escalation: readonly string[];
  snapshot: IncidentSnapshot;
  by: string;
  /** Who declared, when it was not a person (Alertmanager). */
  source?: string;
  /** A raise of the severity (by label or `/severity`), not the declaration. */
  raised?: boolean;
  now: Date;
}): { name: string; text: string; record: ReturnType<typeof paged.record> }[] {
  const { incident, sla } = view.snapshot;
  if (incident.phase === 'resolved') return [];
  return pagedAtDeclaration(view.runbook, view.severity, view.escalation, incident).map((page) => ({
    name: page.name,
    text: renderPage({
      by: view.by,
      ...(view.source ? { source: view.source } : {}),
      ...(view.raised ? { raised: true } : {}),
      name: page.name,
      mentions: page.mentions,
      availability: page.availability,
      note: undefined,
      severity: view.severity,
      auto: true,
      acknowledgeBy: incident.acknowledgedAt ? undefined : sla?.acknowledge.due,
    }),
    record: paged.record({
      by: view.by,
      at: view.now.toISOString(),
      role: page.role,
      name: page.name,
      mentions: page.mentions,
      auto: true,
    }),
  }));
}

function roles(contacts: Record<string, Contact>): string {
  return Object.entries(contacts)
    .map(([role, contact]) => `\`${role}\` (${contact.name})`)
    .join(', ');
}

export const page = defineCommand({
  name: 'page',
  reason: '/page recorded: the contacts were mentioned',
  description: "Page one of the runbook's emergency contacts, e.g. /page dba replication is lagging",
  permission: LIFECYCLE_PERMISSION,
  args: {
    role: positional({
      description: "A role of the runbook's contacts, e.g. dba",
      pattern: '^[a-z][a-z0-9_-]{0,39}$',
      maxLength: 40,
      required: true,
    }),
  },
  text: { name: 'note', description: 'What they need to know', required: false, maxLength: 500 },
  facts: [paged],
  handle(input) {
    const contacts = input.runbook.contacts ?? {};
    const line = `/page ${input.args.role}`;
    if (Object.keys(contacts).length === 0)
      return notDone(
        'page',
        line,
        'This runbook has no `contacts:` section: add the roles and who answers for them (see the README, "Emergency contacts").',
      );
    const contact = contacts[input.args.role];
    if (!contact)
      return notDone(
        'page',
        line,
        `\`${input.args.role}\` is not a contact of this runbook: page one of ${roles(contacts)}.`,
      );
    if (contact.mention.length === 0)
      return notDone(
        'page',
        line,
        `The runbook names no one for ${contact.name}: add \`mention:\` (GitHub users or org/team slugs) to \`contacts.${input.args.role}\` in the runbook file.`,
      );
    const last = input.snapshot.incident.pages.filter((entry) => entry.role === input.args.role).at(-1);
    if (last && input.now.getTime() - last.at.getTime() < REPAGE_AFTER_MS)
      return notDone(
        'page',
        line,
        `${contact.name} was paged ${humanDuration(input.now.getTime() - last.at.getTime())} ago (by @${last.by}, ${utc(last.at)}); page them again from ${utc(new Date(last.at.getTime() + REPAGE_AFTER_MS))}, or post what they need with \`/note\`.`,
      );
    const note = input.args.note;
    return done('page', `${contact.name} paged`, [
      {
        kind: 'reply',
        text: renderPage({
          by: input.actor,
          name: contact.name,
          mentions: contact.mention,
          availability: contact.availability,
          note,
          severity: input.snapshot.severityKey,
          auto: false,
        }),
        record: paged.record({
          ...factBy(input),
          role: input.args.role,
          name: contact.name,
          mentions: contact.mention,
          ...(note ? { note } : {}),
          auto: false,
        }),
      },
    ]);
  },
});
