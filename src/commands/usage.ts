import type { CommandArgument } from '../config/runbook.schema.ts';
import type { CommandSpec } from './registry.ts';

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
