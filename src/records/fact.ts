import { z } from 'zod';
import type { ChangeEvent, Incident } from '../incident/state.ts';

/** What every fact records: who, when, and the comment that asked for it, if one did. */
const FACT_BASE = {
  v: z.literal(1),
  by: z.string().min(1).max(100),
  at: z.iso.datetime(),
  source: z.number().int().positive().optional(),
};

/** How a fact changes the incident, as the reducer applies it. */
export interface ApplyContext {
  at: Date;
  url: string;
  /**
   * Adds a timeline row; `detail` is someone's text (echoed, never rendered); `at` when it
   * happened earlier than the fact was recorded (an offline journal).
   */
  log(actor: string, event: string, detail?: string, at?: Date): void;
  /** Counts `login` among the responders. */
  responder(login: string): void;
  /** A change stakeholders hear about on their channels (see notify/ledger.ts). */
  announce(event: ChangeEvent, by: string, text?: string): void;
}

/** The fields a command gives when it records the fact (none for a fact with none). */
type FieldsInput<F extends z.ZodRawShape> = keyof F extends never ? unknown : z.input<z.ZodObject<F>>;

/** A fact as read back: its kind, the common fields, and the command's own fields. */
export type FactRecord = { v: 1; kind: string; by: string; at: string; source?: number | undefined } & Record<
  string,
  unknown
>;

export interface FactDefinition {
  kind: string;
  schema: z.ZodObject;
  /** Changes `next` (a copy of the incident) as this fact says. */
  apply(next: Incident, fact: FactRecord, context: ApplyContext): void;
}

/**
 * A fact a command records, defined next to the command: its fields (zod, validated when written
 * and when read back) and how it changes the incident. `record` builds one, typed.
 */
export function defineFact<const K extends string, const F extends z.ZodRawShape>(
  kind: K,
  fields: F,
  apply: (
    next: Incident,
    fact: z.infer<z.ZodObject<F>> & { by: string; at: string },
    context: ApplyContext,
  ) => void,
) {
  const schema = z.object({ ...FACT_BASE, kind: z.literal(kind), ...fields });
  return {
    kind,
    schema,
    apply: apply as unknown as FactDefinition['apply'],
    /** The record to write for this fact. */
    record: (content: FieldsInput<F> & { by: string; at: string; source?: number }) =>
      ({ kind, ...content }) as { kind: K } & typeof content,
  };
}
