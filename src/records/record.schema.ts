import { z } from 'zod';
import { COMMAND_FACTS } from '../commands/definitions.ts';
import { ledgerSchema } from '../notify/ledger.ts';
import type { FactRecord } from './fact.ts';

/**
 * What the action records on the issue, one record at the end of each comment it writes. The
 * incident is rebuilt from these records and the issue's own events, so the records are a
 * versioned, discriminated union (on `kind`, with `v`): the action's own kinds here, with a
 * `switch` the compiler checks for exhaustiveness, and each command's facts defined with it.
 */
const login = z.string().min(1).max(100);
const at = z.iso.datetime();
/** The human comment the record answers, when there is one. */
const source = z.number().int().positive();

const base = { v: z.literal(1) };
const fact = { ...base, by: login, at, source: source.optional() };

/** A command's fact as the board's record carries it (see flows/board-facts.ts). */
const boardFact: z.ZodType<FactRecord> = z.lazy(
  () =>
    z.discriminatedUnion(
      'kind',
      [...COMMAND_FACTS.values()].map((definition) => definition.schema) as unknown as [
        z.ZodObject<{ kind: z.ZodLiteral<string> }>,
        ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[],
      ],
    ) as unknown as z.ZodType<FactRecord>,
);

/** How many facts the board's record holds at most; past it, a fact is posted as a reply. */
export const BOARD_FACTS_MAX = 200;

const CORE = [
  /**
   * The status board. `notified` is what stakeholders' channel has been told (notify/ledger.ts);
   * `facts` are the lifecycle commands' facts, recorded here rather than in a reply of their own.
   */
  z.object({
    ...base,
    kind: z.literal('board'),
    notified: ledgerSchema.optional(),
    facts: z.array(boardFact).max(BOARD_FACTS_MAX).optional(),
    /** One seal per fact, in order (records/board-seal.ts): facts survive an edit of the board. */
    seals: z.array(z.string().max(40)).max(BOARD_FACTS_MAX).optional(),
  }),
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
    /** Set when the plan's comment was closed as expired: nobody confirmed it in time. */
    expired: z.literal(true).optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('result'),
    command: z.string(),
    /** The asking comment; absent for the initial assessment, which a label started. */
    source: source.optional(),
    status: z.enum(['running', 'success', 'findings', 'failure', 'timeout', 'ssh-error', 'planned']),
    by: login,
    at,
    /** Who confirmed a held destructive command, and the code it ran under. */
    confirmedBy: login.optional(),
    code: z
      .string()
      .regex(/^[0-9a-f]{8}$/)
      .optional(),
    /** What a diagnostic command found, each as "step: finding" in the host's words. */
    findings: z.array(z.string().max(300)).max(10).optional(),
    /** How many there were (the record keeps the first ten). */
    findingCount: z.number().int().nonnegative().optional(),
  }),
  z.object({ ...fact, kind: z.literal('reminder') }),
  z.object({ ...fact, kind: z.literal('escalation') }),
  z.object({
    ...fact,
    kind: z.literal('postmortem'),
    /** The review issue; absent when it could not be opened. */
    followUp: z.number().int().positive().optional(),
    /** The Alertmanager silence the resolution expired, or tried to. */
    silence: z
      .object({
        id: z.string().regex(/^[0-9a-f-]{36}$/),
        expired: z.boolean(),
        error: z.string().max(300).optional(),
      })
      .optional(),
  }),
  /** Ends the post-incident review issue's body: which incident it reviews, by when, and who owns it. */
  z.object({
    ...fact,
    kind: z.literal('review'),
    incident: z.number().int().positive(),
    due: at,
    assignees: z.array(login).max(10),
    postmortem: z.url().max(500).optional(),
    /**
     * Written with the issue, before its number is known: sealed to the incident's number instead.
     * The run seals it to the review's own number next; a run that stopped in between leaves it
     * so, and the next one finds the review by it.
     */
    pending: z.literal(true).optional(),
  }),
  /** The sweep's reminder on a review issue: that it is due within a day, or overdue. */
  z.object({
    ...fact,
    kind: z.literal('review-reminder'),
    stage: z.enum(['due', 'overdue']),
    due: at.optional(),
  }),
  /** A read-only command answered (counted for the per-person rate limit). */
  z.object({ ...fact, kind: z.literal('answered'), command: z.string() }),
  /** A comment refused whole, or a line of it; `user` is whom the reply addressed. */
  z.object({ ...fact, kind: z.literal('refused'), user: login, reason: z.string().max(60) }),
  /** The one notice a person gets per incident when they may not run commands here. */
  z.object({ ...fact, kind: z.literal('notice'), user: login, reason: z.string().max(60) }),
  z.object({ ...fact, kind: z.literal('interrupted'), commands: z.array(z.string().max(200)).max(50) }),
] as const;

/** The records of the action itself, known here; the commands' own facts come from their definitions. */
export type CoreRecord = z.infer<(typeof CORE)[number]>;

/** Every record the action reads back: its own, and the facts its commands define. */
export const recordSchema = z.discriminatedUnion('kind', [
  ...CORE,
  ...[...COMMAND_FACTS.values()].map((fact) => fact.schema),
] as unknown as [(typeof CORE)[number], ...(typeof CORE)[number][]]);

export type IssueRecord = CoreRecord | FactRecord;
export type RecordKind = CoreRecord['kind'];
export type RecordOf<K extends RecordKind> = Extract<CoreRecord, { kind: K }>;

/** A record of the action's own kinds (not a command's fact): narrows for a `switch` on `kind`. */
export function isCore(record: IssueRecord): record is CoreRecord {
  return !COMMAND_FACTS.has(record.kind);
}
