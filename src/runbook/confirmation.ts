import { createHash } from 'node:crypto';
import type { ArgumentValue } from '../commands/bind.ts';
import type { Plan } from './plan.ts';

/** How long a destructive command's confirmation code stays valid. */
export const CONFIRMATION_MINUTES = 15;

/** A digest of exactly what would run, where: the held plan runs only if it is unchanged. */
export function planHash(plan: Plan): string {
  const material = {
    target: plan.target,
    steps: plan.steps,
    check: plan.check,
    timeout: plan.timeoutSeconds,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 16);
}

/** Eight hex digits bound to the requesting comment, the command and its exact arguments. */
export function confirmationCode(
  commentId: number,
  command: string,
  args: Record<string, ArgumentValue>,
): string {
  return createHash('sha256')
    .update(JSON.stringify([commentId, command, args]))
    .digest('hex')
    .slice(0, 8);
}
