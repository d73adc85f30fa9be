import { z } from 'zod';

/**
 * What the action records on the issue, one record at the end of each comment it writes. The
 * incident is rebuilt from these records and the issue's own events, so the records are a
 * versioned, discriminated union: a reader that meets a kind it does not know ignores it, and a
 * `switch` on `kind` is checked for exhaustiveness by the compiler.
 */
const login = z.string().min(1).max(100);
const at = z.iso.datetime();
/** The human comment the record answers, when there is one. */
const source = z.number().int().positive();
const text = z.string().max(4000);

const base = { v: z.literal(1) };
const fact = { ...base, by: login, at, source: source.optional() };

export const recordSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('board') }),
  z.object({
    ...base,
    kind: z.literal('plan'),
    code: z.string().regex(/^[0-9a-f]{8}$/),
    command: z.string(),
    args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    source,
    requestedBy: login,
    expiresAt: at,
    planHash: z.string().regex(/^[0-9a-f]{16}$/),
  }),
  z.object({
    ...base,
    kind: z.literal('result'),
    command: z.string(),
    /** The asking comment; absent for the initial assessment, which a label started. */
    source: source.optional(),
    status: z.enum(['running', 'success', 'failure', 'timeout', 'ssh-error', 'planned']),
    by: login,
    at,
    /** Who confirmed a held destructive command, and the code it ran under. */
    confirmedBy: login.optional(),
    code: z
      .string()
      .regex(/^[0-9a-f]{8}$/)
      .optional(),
  }),
  z.object({ ...fact, kind: z.literal('acknowledged') }),
  z.object({ ...fact, kind: z.literal('commander'), commander: login }),
  z.object({ ...fact, kind: z.literal('severity'), severity: z.string().regex(/^p[0-9]$/) }),
  z.object({ ...fact, kind: z.literal('update'), text }),
  z.object({ ...fact, kind: z.literal('mitigated'), note: text.optional() }),
  z.object({ ...fact, kind: z.literal('resolved'), forced: z.boolean(), summary: text.optional() }),
  z.object({ ...fact, kind: z.literal('verification-failed'), problems: z.array(text).max(50) }),
  z.object({ ...fact, kind: z.literal('impact-start'), impactStart: at }),
  z.object({ ...fact, kind: z.literal('reminder') }),
  z.object({ ...fact, kind: z.literal('escalation') }),
  z.object({ ...fact, kind: z.literal('postmortem'), followUp: z.number().int().positive() }),
  /** A read-only command answered (counted for the per-person rate limit). */
  z.object({ ...fact, kind: z.literal('answered'), command: z.string() }),
  /** A comment refused whole, or a line of it; `user` is whom the reply addressed. */
  z.object({ ...fact, kind: z.literal('refused'), user: login, reason: z.string().max(60) }),
  /** The one notice a person gets per incident when they may not run commands here. */
  z.object({ ...fact, kind: z.literal('notice'), user: login, reason: z.string().max(60) }),
  z.object({ ...fact, kind: z.literal('interrupted'), commands: z.array(z.string().max(200)).max(50) }),
]);

export type IssueRecord = z.infer<typeof recordSchema>;
export type RecordKind = IssueRecord['kind'];
export type RecordOf<K extends RecordKind> = Extract<IssueRecord, { kind: K }>;
