import { ALERT_FACTS } from '../alerts/facts.ts';
import { REASON_CODES } from '../outcome.ts';
import { confirm } from './builtin/confirm.ts';
import { help } from './builtin/help.ts';
import { ack } from './lifecycle/ack.ts';
import { commander } from './lifecycle/commander.ts';
import { impactStart } from './lifecycle/impact-start.ts';
import { journal } from './lifecycle/journal.ts';
import { mitigated } from './lifecycle/mitigated.ts';
import { note } from './lifecycle/note.ts';
import { page } from './lifecycle/page.ts';
import { postmortem } from './lifecycle/postmortem.ts';
import { resolve } from './lifecycle/resolve.ts';
import { severity } from './lifecycle/severity.ts';
import { statusPage } from './lifecycle/status-page.ts';
import { timeline } from './lifecycle/timeline.ts';
import { update } from './lifecycle/update.ts';

/**
 * The action's own commands, each defined once in its file (grammar, permission, facts, handler).
 * The registry, `/help`, the names a runbook may not use, the facts the reducer knows and the
 * records the action reads back all come from this list.
 */
export const DEFINED_COMMANDS = [
  help,
  confirm,
  ack,
  commander,
  severity,
  update,
  note,
  page,
  statusPage,
  mitigated,
  resolve,
  timeline,
  postmortem,
  impactStart,
  journal,
] as const;

/** Every reason code a run can end with, with what it means: the flows' and the commands'. */
export function allReasonCodes(): Record<string, string> {
  return {
    ...REASON_CODES,
    ...Object.fromEntries(
      DEFINED_COMMANDS.flatMap((command) => (command.reason ? [[command.name, command.reason]] : [])),
    ),
  };
}

/** The facts the commands record, and those an Alertmanager notification records, by kind. */
export const COMMAND_FACTS = new Map([
  ...DEFINED_COMMANDS.flatMap((command) => command.facts.map((fact) => [fact.kind, fact] as const)),
  ...ALERT_FACTS.map((fact) => [fact.kind, fact] as const),
]);
