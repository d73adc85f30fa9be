import type { CommandArgument, Permission, Runbook } from '../config/runbook.schema.ts';

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
    readOnly: true,
  },
  {
    name: 'confirm',
    description: 'Run a destructive command whose plan was posted with this code',
    args: [CONFIRMATION_CODE],
    permission: 'write',
    source: 'builtin',
  },
];

const lifecycle = (spec: Omit<CommandSpec, 'source' | 'permission'>): CommandSpec => ({
  ...spec,
  permission: 'triage',
  source: 'lifecycle',
});

/** The incident lifecycle: the runbook's process, carried out on the issue. */
export const LIFECYCLE_COMMANDS: CommandSpec[] = [
  lifecycle({ name: 'ack', description: 'Acknowledge the incident', args: [] }),
  lifecycle({
    name: 'commander',
    description: 'Assign the incident commander (and the issue)',
    args: [
      {
        name: 'user',
        description: 'GitHub login, e.g. @dana',
        kind: 'positional',
        type: 'string',
        pattern: '^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$',
        'max-length': 40,
        required: true,
      },
    ],
  }),
  lifecycle({
    name: 'severity',
    description: 'Change the severity (relabels the issue, recomputes the targets)',
    args: [
      {
        name: 'level',
        description: 'p0, p1, p2 or p3',
        kind: 'positional',
        type: 'string',
        pattern: '^[pP][0-9]$',
        'max-length': 2,
        required: true,
      },
    ],
  }),
  lifecycle({
    name: 'update',
    description: 'Post a status update (restarts the update clock)',
    args: [],
    text: { name: 'text', description: 'What changed, what is next', required: true, maxLength: 2000 },
  }),
  lifecycle({
    name: 'mitigated',
    description: 'Mark the impact as mitigated',
    args: [],
    text: { name: 'note', description: 'What mitigated it', required: false, maxLength: 2000 },
  }),
  lifecycle({
    name: 'resolve',
    description: 'Verify health and metrics, then post the postmortem and close the issue',
    args: [
      {
        name: 'force',
        description: 'Resolve even if verification fails (recorded)',
        kind: 'flag',
        type: 'string',
        'max-length': 0,
        required: false,
      },
    ],
    text: {
      name: 'summary',
      description: 'One-paragraph summary for the postmortem',
      required: false,
      maxLength: 2000,
    },
  }),
  {
    ...lifecycle({ name: 'timeline', description: 'Post the incident timeline so far', args: [] }),
    permission: 'read',
    readOnly: true,
  },
  lifecycle({ name: 'postmortem', description: 'Post a draft postmortem of the incident so far', args: [] }),
  lifecycle({
    name: 'impact-start',
    description: 'Back-date the start of impact',
    args: [
      {
        name: 'time',
        description: 'UTC time: 2026-11-26T02:50Z, 02:50 (today) or -25m / -2h (ago)',
        kind: 'positional',
        type: 'string',
        pattern: '^(?:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2})?Z|\\d{2}:\\d{2}|-\\d{1,4}[mh])$',
        'max-length': 20,
        required: true,
      },
    ],
  }),
];

export function commandRegistry(runbook: Runbook): Map<string, CommandSpec> {
  const registry = new Map<string, CommandSpec>();
  for (const spec of [...BUILTIN_COMMANDS, ...LIFECYCLE_COMMANDS]) registry.set(spec.name, spec);
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
  if (spec.text) parts.push(spec.text.required ? `<${spec.text.name}>` : `[${spec.text.name}]`);
  return [`/${spec.name}`, ...parts].join(' ');
}

function placeholder(arg: CommandArgument): string {
  if (arg.values) return arg.values.join('|');
  return arg.type === 'integer' ? 'N' : arg.name.toUpperCase();
}
