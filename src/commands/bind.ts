import type { CommandArgument } from '../config/runbook.schema.ts';
import type { CommandLine } from './extract.ts';
import type { CommandSpec } from './registry.ts';
import { closest } from './suggest.ts';
import { tokenize } from './tokenize.ts';
import { usage } from './registry.ts';

export type ArgumentValue = string | number | boolean;

export interface BoundCommand {
  spec: CommandSpec;
  args: Record<string, ArgumentValue>;
  line: CommandLine;
}

export interface CommandError {
  line: CommandLine;
  /** What was wrong, written for the person who typed it. */
  message: string;
  suggestion?: string;
}

export type BindResult = { ok: true; command: BoundCommand } | { ok: false; error: CommandError };

const COMMAND_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Matches a command line to its spec and checks every argument against the runbook's rules. */
export function bindCommand(line: CommandLine, registry: Map<string, CommandSpec>): BindResult {
  const fail = (message: string, suggestion?: string): BindResult => ({
    ok: false,
    error: suggestion ? { line, message, suggestion } : { line, message },
  });
  const invisible = /[\p{Cf}\p{Cc}]/u.exec(line.text);
  if (invisible) {
    const code = invisible[0].codePointAt(0)?.toString(16).padStart(4, '0').toUpperCase();
    const suggestion = closest(line.name.replace(/[\p{Cf}\p{Cc}]/gu, ''), [...registry.keys()]);
    return fail(
      `the command contains an invisible character (U+${code}); retype it without copying`,
      suggestion,
    );
  }
  const spec = registry.get(line.name);
  if (!spec) {
    const shown = printable(line.name);
    const suggestion = closest(line.name, [...registry.keys()]);
    if (!COMMAND_NAME.test(line.name)) {
      return fail(
        `\`/${shown}\` is not a command name (names are lowercase letters, digits and "-")`,
        suggestion,
      );
    }
    return fail(`\`/${shown}\` is not a command in this runbook`, suggestion);
  }
  if (spec.text) return bindText(spec, line);
  const tokens = tokenize(line.rest);
  if (!tokens.ok) return fail(`${tokens.message}. Usage: \`${usage(spec)}\``);

  const args: Record<string, ArgumentValue> = {};
  const positionals = spec.args.filter((arg) => arg.kind === 'positional');
  const named = new Map(spec.args.filter((arg) => arg.kind !== 'positional').map((arg) => [arg.name, arg]));
  const queue = [...tokens.tokens];
  let position = 0;
  while (queue.length > 0) {
    const token = queue.shift() ?? '';
    const option = /^--([a-z][a-z0-9_-]*)(?:=(.*))?$/s.exec(token) ?? /^([a-z][a-z0-9_]*)=(.*)$/s.exec(token);
    if (option && (token.startsWith('--') || named.has(option[1] ?? ''))) {
      const name = (option[1] ?? '').replace(/-/g, '_');
      const arg = named.get(name);
      if (!arg)
        return fail(`\`/${spec.name}\` has no option \`--${printable(name)}\`. Usage: \`${usage(spec)}\``);
      if (name in args) return fail(`\`--${name}\` is given twice`);
      if (arg.kind === 'flag') {
        if (option[2] !== undefined) return fail(`\`--${name}\` is a flag and takes no value`);
        args[name] = true;
        continue;
      }
      const value = option[2] ?? queue.shift();
      if (value === undefined) return fail(`\`--${name}\` needs a value. Usage: \`${usage(spec)}\``);
      const checked = checkValue(arg, value);
      if (!checked.ok) return fail(checked.message);
      args[name] = checked.value;
      continue;
    }
    const arg = positionals[position];
    if (!arg) {
      return fail(
        `\`/${spec.name}\` takes ${describeCount(positionals.length)}; \`${printable(token)}\` is one too many. Usage: \`${usage(spec)}\``,
      );
    }
    const checked = checkValue(arg, token);
    if (!checked.ok) return fail(checked.message);
    args[arg.name] = checked.value;
    position += 1;
  }
  for (const arg of spec.args) {
    if (arg.name in args) continue;
    if (arg.default !== undefined) args[arg.name] = arg.default;
    else if (arg.kind === 'flag') args[arg.name] = false;
    else if (arg.required)
      return fail(`\`/${spec.name}\` needs ${arg.name} (${arg.description}). Usage: \`${usage(spec)}\``);
  }
  return { ok: true, command: { spec, args, line } };
}

/** Commands whose argument is free text: flags are taken out, the rest is kept whole. */
function bindText(spec: CommandSpec, line: CommandLine): BindResult {
  const text = spec.text;
  if (!text) throw new Error(`/${spec.name} takes no text`);
  const args: Record<string, ArgumentValue> = {};
  let rest = line.rest;
  for (const flag of spec.args.filter((arg) => arg.kind === 'flag')) {
    const pattern = new RegExp(`(^|\\s)--${flag.name}(?=\\s|$)`);
    args[flag.name] = pattern.test(rest);
    rest = rest.replace(pattern, ' ');
  }
  rest = rest.trim();
  const fail = (message: string): BindResult => ({ ok: false, error: { line, message } });
  if (text.required && rest.length === 0)
    return fail(`\`/${spec.name}\` needs ${text.description.toLowerCase()}. Usage: \`${usage(spec)}\``);
  if (rest.length > text.maxLength)
    return fail(`${text.name} is ${rest.length} characters long; at most ${text.maxLength} are accepted`);
  if (rest.length > 0) args[text.name] = rest;
  return { ok: true, command: { spec, args, line } };
}

type CheckedValue = { ok: true; value: ArgumentValue } | { ok: false; message: string };

/** Validates one value; the message quotes the value only in a printable, bounded form. */
export function checkValue(arg: CommandArgument, value: string): CheckedValue {
  const shown = `\`${printable(value)}\``;
  if (value.length > arg['max-length']) {
    return {
      ok: false,
      message: `${arg.name} is ${value.length} characters long; at most ${arg['max-length']} are accepted`,
    };
  }
  if (arg.type === 'integer') {
    if (!/^-?\d{1,9}$/.test(value))
      return { ok: false, message: `${arg.name} must be a whole number, not ${shown}` };
    const number = Number(value);
    if (arg.min !== undefined && number < arg.min)
      return { ok: false, message: `${arg.name} must be at least ${arg.min}` };
    if (arg.max !== undefined && number > arg.max)
      return { ok: false, message: `${arg.name} must be at most ${arg.max}` };
    return { ok: true, value: number };
  }
  if (arg.values && !arg.values.includes(value)) {
    return {
      ok: false,
      message: `${arg.name} must be one of ${arg.values.map((v) => `\`${v}\``).join(', ')}, not ${shown}`,
    };
  }
  if (arg.pattern && !new RegExp(`^(?:${arg.pattern})$`, 'u').test(value)) {
    return {
      ok: false,
      message: `${arg.name} ${shown} does not match \`${arg.pattern}\` (${arg.description})`,
    };
  }
  return { ok: true, value };
}

/** Shows text the way it was typed, with invisible and control characters made visible. */
export function printable(text: string, max = 60): string {
  const visible = text
    .replace(/[^\x20-\x7e]/gu, (char) => `\\u{${char.codePointAt(0)?.toString(16)}}`)
    .replace(/`/g, "'");
  return visible.length > max ? `${visible.slice(0, max)}…` : visible;
}

function describeCount(count: number): string {
  return count === 0 ? 'no arguments' : count === 1 ? 'one argument' : `${count} arguments`;
}
