import type { CommandArgument, Permission, Runbook } from '../config/runbook.schema.ts';
import type { CommandDefinition } from './define.ts';
import { DEFINED_COMMANDS } from './definitions.ts';
import { runbookCommand } from './runbook-command.ts';

/** A command a comment may name: from the runbook (remote steps) or built into the action. */
export interface CommandSpec {
  name: string;
  description: string;
  args: CommandArgument[];
  permission: Permission;
  source: 'runbook' | 'builtin' | 'lifecycle';
  /** The text left after the flags, bound whole to this argument (never sent to a shell). */
  text?: { name: string; description: string; required: boolean; maxLength: number };
  /** Read-only commands are exempt from the `permission` input's floor. */
  readOnly?: boolean;
}

/** The names a runbook may not give its commands: the action's own. */
export const RESERVED_COMMANDS: readonly string[] = DEFINED_COMMANDS.map((definition) => definition.name);

/** Every command of the runbook in effect: the action's own, then the runbook's, by name. */
export function commandRegistry(runbook: Runbook): Map<string, CommandDefinition> {
  const registry = new Map<string, CommandDefinition>();
  for (const definition of DEFINED_COMMANDS) registry.set(definition.name, definition as CommandDefinition);
  for (const [name, command] of Object.entries(runbook.commands)) {
    registry.set(name, runbookCommand(name, command) as CommandDefinition);
  }
  return registry;
}

export { usage } from './usage.ts';
