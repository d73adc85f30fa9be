import type { CommandArgument, Permission, Runbook } from '../config/runbook.schema.ts';

/** A command a comment may name: from the runbook (remote steps) or built into the action. */
export interface CommandSpec {
  name: string;
  description: string;
  args: CommandArgument[];
  permission: Permission;
  source: 'runbook' | 'builtin';
}

const CONFIRMATION_CODE: CommandArgument = {
  name: 'code',
  description: 'The confirmation code from the plan comment',
  kind: 'positional',
  type: 'string',
  pattern: '^[0-9a-f]{8}$',
  'max-length': 8,
  required: true,
};

export const BUILTIN_COMMANDS: CommandSpec[] = [
  {
    name: 'help',
    description: 'List the commands you may run here',
    args: [],
    permission: 'read',
    source: 'builtin',
  },
  {
    name: 'confirm',
    description: 'Run a destructive command whose plan was posted with this code',
    args: [CONFIRMATION_CODE],
    permission: 'write',
    source: 'builtin',
  },
];

export function commandRegistry(runbook: Runbook): Map<string, CommandSpec> {
  const registry = new Map<string, CommandSpec>();
  for (const spec of BUILTIN_COMMANDS) registry.set(spec.name, spec);
  for (const [name, command] of Object.entries(runbook.commands)) {
    registry.set(name, {
      name,
      description: command.description,
      args: command.args,
      permission: command.permission,
      source: 'runbook',
    });
  }
  return registry;
}

/** `/logs [service] [--lines N]` */
export function usage(spec: CommandSpec): string {
  const parts = spec.args.map((arg) => {
    const word =
      arg.kind === 'flag'
        ? `--${arg.name}`
        : arg.kind === 'option'
          ? `--${arg.name} ${placeholder(arg)}`
          : `<${arg.name}>`;
    return arg.required ? word : `[${word.replace(/^<(.*)>$/, '$1')}]`;
  });
  return [`/${spec.name}`, ...parts].join(' ');
}

function placeholder(arg: CommandArgument): string {
  if (arg.values) return arg.values.join('|');
  return arg.type === 'integer' ? 'N' : arg.name.toUpperCase();
}
