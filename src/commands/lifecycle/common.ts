import type { CommandReason, Outcome, ReasonCode } from '../../outcome.ts';
import { humanDuration } from '../../incident/sla.ts';
import { decided, type Decision, type Effect } from '../effects.ts';
import type { HandlerInput } from '../define.ts';

/** The permission lifecycle commands need (the `permission` input's floor applies on top). */
export const LIFECYCLE_PERMISSION = 'triage' as const;

/** A lifecycle command that did what it was asked. */
export function done(name: string, message: string, effects: Effect[], reason?: ReasonCode): Decision {
  const outcome: Outcome = {
    status: 'success',
    reason: reason ?? (name as CommandReason),
    command: name,
    message,
  };
  return decided(outcome, effects);
}

/** A lifecycle command that could not be done as asked; the commenter is told why. */
export function notDone(name: string, line: string, message: string): Decision {
  return decided({ status: 'refused', reason: 'lifecycle', command: name, message }, [], {
    kind: 'not-done',
    line,
    message,
  });
}

/** Common fields of a fact this comment records. */
export function factBy<A>(input: HandlerInput<A>): { by: string; at: string; source: number } {
  return { by: input.actor, at: input.now.toISOString(), source: input.comment.id };
}

/** `4 min` since the declaration, or — when there was none. */
export function sinceDeclared<A>(input: HandlerInput<A>): string {
  const declared = input.snapshot.incident.declaredAt;
  return declared ? humanDuration(input.now.getTime() - declared.getTime()) : '—';
}
