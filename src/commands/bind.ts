import type { CommandArgument } from '../config/runbook.schema.ts';
import type { CommandLine } from './extract.ts';
import type { CommandSpec } from './registry.ts';
import { closest } from './suggest.ts';
import { tokenize } from './tokenize.ts';
import { usage } from './usage.ts';

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
/**
 * Characters that show as nothing, as a space or as a line break, or not at all: controls, format
 * characters, separators, surrogates, private-use and unassigned code points, and every space but
 * U+0020. A tab between arguments is fine.
 */
const INVISIBLE = /(?![\t ])[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const CHARACTER_NAMES: Record<number, string> = {
  0x00: 'NULL',
  0x0a: 'LINE FEED',
  0x0b: 'LINE TABULATION',
  0x0c: 'FORM FEED',
  0x0d: 'CARRIAGE RETURN',
  0x1b: 'ESCAPE',
  0x7f: 'DELETE',
  0x85: 'NEXT LINE',
  0xa0: 'NO-BREAK SPACE',
  0xad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x1680: 'OGHAM SPACE MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x2000: 'EN QUAD',
  0x2001: 'EM QUAD',
  0x2002: 'EN SPACE',
  0x2003: 'EM SPACE',
  0x2004: 'THREE-PER-EM SPACE',
  0x2005: 'FOUR-PER-EM SPACE',
  0x2006: 'SIX-PER-EM SPACE',
  0x2007: 'FIGURE SPACE',
  0x2008: 'PUNCTUATION SPACE',
  0x2009: 'THIN SPACE',
  0x200a: 'HAIR SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x202f: 'NARROW NO-BREAK SPACE',
  0x205f: 'MEDIUM MATHEMATICAL SPACE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3000: 'IDEOGRAPHIC SPACE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** `U+2028 LINE SEPARATOR`, or only the code point for characters without a name here. */
function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const name = CHARACTER_NAMES[code];
  const point = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return name ? `${point} ${name}` : point;
}

/** Matches a command line to its spec and checks every argument against the runbook's rules. */
export function bindCommand(line: CommandLine, registry: Map<string, CommandSpec>): BindResult {
  const fail = (message: string, suggestion?: string): BindResult => ({
    ok: false,
    error: suggestion ? { line, message, suggestion } : { line, message },
  });
  if (line.problem) return fail(line.problem, closest(line.name, [...registry.keys()]));
  const invisible = INVISIBLE.exec(line.text);
  if (invisible) {
    const suggestion = closest(line.name.replace(new RegExp(INVISIBLE, 'gu'), ''), [...registry.keys()]);
    return fail(
      `the command contains an invisible character (${describeCharacter(invisible[0])}); retype it without copying`,
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

/**
 * Commands whose last argument is free text: flags are taken out, leading positional arguments
 * are taken word by word, and the rest is kept whole.
 */
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
  // Leading words for the positional arguments (`/page dba <note>`), each checked; then the text.
  for (const arg of spec.args.filter((candidate) => candidate.kind === 'positional')) {
    const word = /^(\S+)(?:\s+|$)/.exec(rest);
    if (!word) {
      if (arg.required)
        return fail(`\`/${spec.name}\` needs ${arg.name} (${arg.description}). Usage: \`${usage(spec)}\``);
      continue;
    }
    const checked = checkValue(arg, word[1] ?? '');
    if (!checked.ok) return fail(`${checked.message}. Usage: \`${usage(spec)}\``);
    args[arg.name] = checked.value;
    rest = rest.slice(word[0].length);
  }
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
