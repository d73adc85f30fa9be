import { z } from 'zod';
import type { Settings } from '../config/inputs.ts';
import type { CommandArgument, Permission, Runbook } from '../config/runbook.schema.ts';
import type { IncidentSnapshot } from '../incident/snapshot.ts';
import type { FactDefinition } from '../records/fact.ts';
import type { ArgumentValue } from './bind.ts';
import type { Decision as Authorization } from '../authz/decide.ts';
import type { Decision } from './effects.ts';
import type { CommandSpec } from './registry.ts';

/** One argument: how it is typed in a comment (its grammar) and what type the handler gets. */
export interface ArgumentDefinition<T> {
  spec: CommandArgument;
  schema: z.ZodType<T>;
}

interface ValueOptions {
  description: string;
  /** A full-match pattern (or `values`): only expected text gets through. */
  pattern?: string;
  values?: string[];
  maxLength?: number;
}

/** `/command VALUE` (its name is the key it is given under `args`). */
export function positional<T>(
  options: ValueOptions & { required: true; as: z.ZodType<T, string> },
): ArgumentDefinition<T>;
export function positional(options: ValueOptions & { required: true }): ArgumentDefinition<string>;
export function positional(
  options: ValueOptions & { required?: false },
): ArgumentDefinition<string | undefined>;
export function positional(
  options: ValueOptions & { required?: boolean; as?: z.ZodType<unknown, string> },
): ArgumentDefinition<unknown> {
  const spec: CommandArgument = {
    name: '',
    description: options.description,
    kind: 'positional',
    type: 'string',
    ...(options.pattern ? { pattern: options.pattern } : {}),
    ...(options.values ? { values: options.values } : {}),
    'max-length': options.maxLength ?? 128,
    required: options.required ?? false,
  };
  const base = options.as ?? z.string();
  return { spec, schema: options.required ? base : base.optional() };
}

/** `--name`, true when given. */
export function flag(description: string): ArgumentDefinition<boolean> {
  return {
    spec: { name: '', description, kind: 'flag', type: 'string', 'max-length': 0, required: false },
    schema: z.boolean(),
  };
}

/** The rest of the line after the flags, kept whole (never sent to a shell). */
export interface TextDefinition<Required extends boolean = boolean> {
  name: string;
  description: string;
  required: Required;
  maxLength: number;
}

/** What a handler knows when it decides. */
export interface HandlerInput<Args> {
  args: Args;
  /** Who commented. */
  actor: string;
  /** The comment that asked (its whole body, for a command that carries data, such as /journal). */
  comment: { id: number; url: string; body: string };
  issue: { number: number; title: string; url: string; labels: string[] };
  /** The incident as the issue records it, read once for the run. */
  snapshot: IncidentSnapshot;
  runbook: Runbook;
  settings: Settings;
  /** Every command of the runbook in effect, by name. */
  registry: ReadonlyMap<string, CommandDefinition>;
  /** Whether the actor may run a command, and why not (their role and the allowlists, looked up). */
  permission: (spec: CommandSpec) => Authorization;
  /** Where the run's log and summary are. */
  runUrl: string;
  /** The runbook's name as people know it (its path, or "built-in runbook"). */
  runbookSource: string;
  /** Why the runbook file does not load (empty when it does): its commands are then missing. */
  runbookErrors: readonly string[];
  /** Values that must never appear anywhere (the run's token, key and secrets). */
  secrets: readonly string[];
  now: Date;
}

/** A command, defined once: its grammar, who may run it, the facts it records and what it does. */
export interface CommandDefinition<
  Args = Record<string, unknown>,
  Name extends string = string,
> extends CommandSpec {
  name: Name;
  /**
   * When done as asked, the run's `reason` output is the command's name; this says what it means
   * (README's table of reason codes lists it).
   */
  reason?: string;
  /** The facts it records, with how each changes the incident. */
  facts: readonly FactDefinition[];
  /** The bound values, typed. */
  parse(values: Record<string, ArgumentValue>): Args;
  /** Decides what happens: the effects to apply and the outcome. Never calls GitHub or a host. */
  handle(input: HandlerInput<Args>): Decision | Promise<Decision>;
}

type ArgsOf<A extends Record<string, ArgumentDefinition<unknown>>> = {
  [K in keyof A]: A[K] extends ArgumentDefinition<infer T> ? T : never;
};
type TextOf<T> =
  T extends TextDefinition<true>
    ? { [K in T['name']]: string }
    : T extends TextDefinition<false>
      ? { [K in T['name']]?: string }
      : unknown;

/**
 * Defines a lifecycle or built-in command. The registry, `/help`, the names a runbook may not use
 * and the arguments' types all come from this one definition.
 */
export function defineCommand<
  const N extends string,
  const A extends Record<string, ArgumentDefinition<unknown>> = Record<never, never>,
  const T extends TextDefinition | undefined = undefined,
>(definition: {
  name: N;
  description: string;
  /** What its reason code (its name) means when it did what was asked. */
  reason?: string;
  permission: Permission;
  /** Read-only commands need only their own permission, not the `permission` input's floor. */
  readOnly?: boolean;
  source?: 'builtin' | 'lifecycle';
  args?: A;
  text?: T;
  facts?: readonly FactDefinition[];
  handle(input: HandlerInput<ArgsOf<A> & TextOf<T>>): Decision | Promise<Decision>;
}): CommandDefinition<ArgsOf<A> & TextOf<T>, N> {
  const args = Object.entries(definition.args ?? {}).map(([name, arg]) => ({
    ...(arg as ArgumentDefinition<unknown>).spec,
    name,
  }));
  const shape: Record<string, z.ZodType> = Object.fromEntries(
    Object.entries(definition.args ?? {}).map(([key, arg]) => [
      key,
      (arg as ArgumentDefinition<unknown>).schema,
    ]),
  );
  if (definition.text) {
    shape[definition.text.name] = definition.text.required ? z.string() : z.string().optional();
  }
  const schema = z.object(shape);
  return {
    name: definition.name,
    description: definition.description,
    ...(definition.reason ? { reason: definition.reason } : {}),
    permission: definition.permission,
    source: definition.source ?? 'lifecycle',
    args,
    ...(definition.text ? { text: definition.text } : {}),
    ...(definition.readOnly ? { readOnly: true } : {}),
    facts: definition.facts ?? [],
    parse: (values) => schema.parse(values) as ArgsOf<A> & TextOf<T>,
    handle: definition.handle,
  };
}
