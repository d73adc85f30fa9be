import { z } from 'zod';

const PREFIX = 'incident-issueops';

/** Lifecycle facts recorded by the action; the incident's state is rebuilt from them. */
export const LIFECYCLE_ACTIONS = [
  'ack',
  'commander',
  'severity',
  'update',
  'mitigated',
  'resolved',
  'impact-start',
  'reminder',
  'escalation',
  'postmortem',
  'verification-failed',
] as const;

/** Facts the action writes into its own comments, to read back in later runs. */
export const markerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('result'),
    command: z.string(),
    source: z.number().int().positive().describe('id of the comment that asked for the command'),
    status: z.string(),
    by: z.string().optional(),
  }),
  z.object({
    type: z.literal('pending'),
    code: z.string().regex(/^[0-9a-f]{8}$/),
    command: z.string(),
    args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    source: z.number().int().positive(),
    requestedBy: z.string(),
    expiresAt: z.iso.datetime(),
    planHash: z.string().regex(/^[0-9a-f]{16}$/),
    confirmedBy: z.string().optional(),
  }),
  z.object({ type: z.literal('board') }),
  z.object({
    type: z.literal('event'),
    action: z.enum(LIFECYCLE_ACTIONS),
    by: z.string(),
    at: z.iso.datetime(),
    severity: z.string().optional(),
    commander: z.string().optional(),
    text: z.string().max(4000).optional(),
    forced: z.boolean().optional(),
    followUp: z.number().int().positive().optional(),
    impactStart: z.iso.datetime().optional(),
    breach: z.enum(['acknowledge', 'update']).optional(),
  }),
]);

export type Marker = z.infer<typeof markerSchema>;

/** A hidden HTML comment carrying the marker; `--` cannot occur inside JSON-escaped text. */
export function writeMarker(marker: Marker): string {
  return `<!-- ${PREFIX} ${JSON.stringify(marker).replace(/--/g, '-\\u002d')} -->`;
}

/**
 * The marker that ends a comment body, if any. Only the last line counts, so marker text that
 * appears anywhere else (in command output, in a quote) is never read. Callers must only pass
 * bodies of the action's own comments: anyone can type this text.
 */
export function readMarker(body: string): Marker | undefined {
  const match = new RegExp(`<!-- ${PREFIX} (\\{[^\n]*\\}) -->$`).exec(body.trimEnd());
  if (!match) return undefined;
  try {
    const parsed = markerSchema.safeParse(JSON.parse(match[1] ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the marker that ends `body`, keeping the text before it. */
export function replaceMarker(body: string, marker: Marker, note = ''): string {
  const text = body
    .trimEnd()
    .replace(new RegExp(`<!-- ${PREFIX} \\{[^\n]*\\} -->$`), '')
    .trimEnd();
  return `${text}${note ? `\n\n${note}` : ''}\n\n${writeMarker(marker)}`;
}

export type EventMarker = Extract<Marker, { type: 'event' }>;
