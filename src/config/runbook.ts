import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { RESERVED_COMMANDS } from '../commands/registry.ts';
import { closest } from '../commands/suggest.ts';
import { commandSchema, runbookSchema, type Runbook } from './runbook.schema.ts';

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;
const IDENTIFIER = /^[a-z][a-z0-9_-]*$/;

/** One thing wrong with a runbook: where (field path, line and column) and what to write instead. */
export interface RunbookProblem {
  path: string[];
  message: string;
  line?: number;
  column?: number;
}

export type RunbookResult =
  { ok: true; runbook: Runbook } | { ok: false; errors: string[]; problems: RunbookProblem[] };

/** `file:line:column: path: message`, the form editors and terminals link to. */
export function formatProblem(fileName: string, problem: RunbookProblem): string {
  const where = problem.line ? `:${problem.line}${problem.column ? `:${problem.column}` : ''}` : '';
  const path = problem.path.length > 0 ? `${problem.path.join('.')}: ` : '';
  return `${fileName}${where}: ${path}${problem.message}`;
}

/**
 * Parses and validates a runbook YAML file. Every problem is reported at once (the field errors
 * and the cross-references of whatever parts are well formed), each with its field path, line and
 * column, so that the person editing the file can fix them all in one go.
 */
export function parseRunbook(source: string, fileName: string): RunbookResult {
  const problems = runbookProblems(source);
  if (problems.ok) return problems;
  return {
    ok: false,
    problems: problems.problems,
    errors: problems.problems.map((p) => formatProblem(fileName, p)),
  };
}

function runbookProblems(
  source: string,
): { ok: true; runbook: Runbook } | { ok: false; problems: RunbookProblem[] } {
  const lineCounter = new LineCounter();
  // A byte order mark is not part of the file as a person sees it: lines and columns start after it.
  const text = source.replace(/^\uFEFF/, '');
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: [], line, column: col, message: `YAML syntax error: ${error.message.split('\n')[0]}` };
      }),
    };
  }
  let raw: unknown;
  try {
    // An alias that names nothing, or aliases that expand without end, fail here, not above.
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, problems: [{ path: [], line: 1, column: 1, message: `YAML error: ${message}` }] };
  }
  const parsed = runbookSchema.safeParse(raw);
  const found: RunbookProblem[] = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => fieldProblems(issue, raw))),
    ...crossReferences(raw),
    ...lostKeys(document),
  ];
  if (found.length === 0 && parsed.success) return { ok: true, runbook: parsed.data };
  const located = unique(found).map((problem) => ({
    ...problem,
    ...positionOf(document, lineCounter, problem.path),
  }));
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, problems: located };
}

/** Zod's issue in the words of the file: a bad key says which name to use, an unknown field its spelling. */
function fieldProblems(issue: z.core.$ZodIssue, raw: unknown): RunbookProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'invalid_key') {
    // A target's env names its own variables: say what the variable name breaks.
    const inner = issue.issues[0]?.message;
    if (path[0] === 'targets' && path[2] === 'env' && inner)
      return [{ path, message: `"${path[3] ?? ''}": ${inner}` }];
    return [{ path, message: keyProblem(path) }];
  }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedFields(path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, allowed);
      return {
        path: [...path, key],
        message: suggestion
          ? `unknown field "${key}": did you mean "${suggestion}"?`
          : `unknown field "${key}"; the fields here are ${allowed.join(', ')}`,
      };
    });
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(raw, path) === undefined) {
    return [{ path, message: `"${path.at(-1) ?? ''}" is required here and missing` }];
  }
  return [{ path, message: issue.message }];
}

function keyProblem(path: string[]): string {
  const [section, key = ''] = path;
  if (section === 'severities') {
    return /^P[0-9]$/.test(key)
      ? `severity keys are lowercase: write "${key.toLowerCase()}"`
      : `"${key}" is not a severity key: write p0 … p9`;
  }
  const kind = section === 'targets' ? 'target' : 'command';
  const lower = key.toLowerCase();
  if (key !== lower && IDENTIFIER.test(lower)) return `${kind} names are lowercase: write "${lower}"`;
  return `"${key}" is not a ${kind} name: use lowercase letters, digits, "-" and "_", starting with a letter`;
}

/** The field names the schema accepts for the object at `path`. */
function allowedFields(path: string[]): string[] {
  let node: unknown = runbookSchema;
  for (const segment of [...path, '']) {
    node = unwrap(node);
    const def = definitionOf(node);
    if (segment === '') return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
    if (def?.type === 'object') node = def.shape?.[segment];
    else if (def?.type === 'record') node = def.valueType;
    else if (def?.type === 'array') node = def.element;
    else return [];
  }
  return [];
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
}

function definitionOf(node: unknown): SchemaDef | undefined {
  return (node as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

function unwrap(node: unknown): unknown {
  let current = node;
  for (
    let def = definitionOf(current);
    def && ['optional', 'default', 'pipe', 'nullable'].includes(def.type);
  ) {
    current = def.innerType ?? def.in;
    def = definitionOf(current);
  }
  return current;
}

function valueAt(raw: unknown, path: string[]): unknown {
  let node = raw;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unique(problems: RunbookProblem[]): RunbookProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path.join('.')}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The line and column of the deepest key (or list item) that exists along `path`. */
function positionOf(
  document: Document,
  lineCounter: LineCounter,
  path: string[],
): { line?: number; column?: number } {
  const at = (node: unknown) => {
    if (!isNode(node) || !node.range) return undefined;
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, column: col };
  };
  let node: unknown = document.contents;
  let position = at(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      position = at(pair.key) ?? position;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      if (node === undefined) break;
      position = at(node) ?? position;
    } else {
      break;
    }
  }
  return position ?? {};
}

/**
 * The checks between fields, run on every command that is well formed on its own (so that they
 * are reported together with the field errors of the others): names, targets, placeholders,
 * `when` conditions and defaults.
 */
function crossReferences(raw: unknown): Omit<RunbookProblem, 'line' | 'column'>[] {
  const root = isRecord(raw) ? raw : {};
  const problems: Omit<RunbookProblem, 'line' | 'column'>[] = [];
  const targets =
    root.targets === undefined
      ? new Set(['default'])
      : isRecord(root.targets)
        ? new Set(Object.keys(root.targets).map((key) => key.toLowerCase()))
        : undefined;
  const verificationTarget = isRecord(root.verification) ? root.verification.target : undefined;
  if (targets && typeof verificationTarget === 'string' && !targets.has(verificationTarget)) {
    problems.push({ path: ['verification', 'target'], message: unknownTarget(verificationTarget, targets) });
  }
  const silenceTarget =
    isRecord(root.alerts) && isRecord(root.alerts.silence) ? root.alerts.silence.target : undefined;
  if (targets && typeof silenceTarget === 'string' && !targets.has(silenceTarget)) {
    problems.push({ path: ['alerts', 'silence', 'target'], message: unknownTarget(silenceTarget, targets) });
  }
  const severities = isRecord(root.severities) ? Object.keys(root.severities) : undefined;
  if (severities && isRecord(root.alerts)) {
    const unknown = (value: unknown) => typeof value === 'string' && !severities.includes(value);
    const known = `the runbook's severities are ${severities.join(', ') || 'none'}`;
    const routes = Array.isArray(root.alerts.routes) ? root.alerts.routes : [];
    routes.forEach((route: unknown, index) => {
      if (isRecord(route) && unknown(route.severity))
        problems.push({
          path: ['alerts', 'routes', String(index), 'severity'],
          message: `"${String(route.severity)}" is not a severity of this runbook: ${known}`,
        });
    });
    if (unknown(root.alerts['default-severity']))
      problems.push({
        path: ['alerts', 'default-severity'],
        message: `"${String(root.alerts['default-severity'])}" is not a severity of this runbook: ${known}`,
      });
  }
  if (severities && isRecord(root.contacts)) {
    for (const [role, contact] of Object.entries(root.contacts)) {
      if (!isRecord(contact) || !Array.isArray(contact.page)) continue;
      contact.page.forEach((key: unknown, index) => {
        if (typeof key === 'string' && !severities.includes(key))
          problems.push({
            path: ['contacts', role, 'page', String(index)],
            message: `"${key}" is not a severity of this runbook: the runbook's severities are ${severities.join(', ') || 'none'}`,
          });
      });
    }
  }
  const hasMetrics = isRecord(root.verification) && root.verification.metrics !== undefined;
  const metricsTarget = typeof verificationTarget === 'string' ? verificationTarget : 'default';
  for (const [name, value] of Object.entries(isRecord(root.commands) ? root.commands : {})) {
    const lower = name.toLowerCase();
    if (RESERVED_COMMANDS.includes(lower)) {
      problems.push({
        path: ['commands', name],
        message: `"/${lower}" is a built-in command and cannot be redefined; choose another name (for example "${lower}-host")`,
      });
    }
    // Zod does not look inside an entry whose key it rejected: report that entry's fields here.
    if (!IDENTIFIER.test(name)) {
      const parsed = commandSchema.safeParse(value);
      for (const issue of parsed.error?.issues ?? []) {
        problems.push(...fieldProblems({ ...issue, path: ['commands', name, ...issue.path] }, raw));
      }
    }
    // The references are checked whatever else is wrong with the command, on what it says.
    const loose = looseCommandSchema.safeParse(value);
    if (loose.success)
      problems.push(...commandReferences(name, loose.data, targets, hasMetrics ? metricsTarget : undefined));
  }
  return problems;
}

/**
 * A command as far as its references go: each field that is malformed reads as its default, each
 * argument or step that cannot be read is left out (its own field error says why).
 */
const looseArgumentSchema = z.object({
  name: z.string(),
  kind: z.enum(['positional', 'option', 'flag']).catch('positional'),
  type: z.enum(['string', 'integer']).catch('string'),
  pattern: z.string().optional().catch(undefined),
  values: z.array(z.string()).optional().catch(undefined),
  min: z.number().optional().catch(undefined),
  max: z.number().optional().catch(undefined),
  required: z.boolean().catch(false),
  default: z.union([z.string(), z.number()]).optional().catch(undefined),
});
const looseStepSchema = z.object({
  run: z.string().catch(''),
  metrics: z.unknown().optional(),
  when: z
    .record(z.string(), z.union([z.string(), z.array(z.string())]))
    .optional()
    .catch(undefined),
});
const looseCommandSchema = z.object({
  target: z.string().catch('default'),
  args: z
    .array(looseArgumentSchema.nullable().catch(null))
    .catch([])
    .transform((args) => args.filter((arg) => arg !== null)),
  steps: z
    .array(looseStepSchema.nullable().catch(null))
    .catch([])
    .transform((steps) => steps.filter((step) => step !== null)),
  check: looseStepSchema.optional().catch(undefined),
});
type LooseCommand = z.output<typeof looseCommandSchema>;
type LooseArgument = LooseCommand['args'][number];

function commandReferences(
  name: string,
  command: LooseCommand,
  targets: Set<string> | undefined,
  /** the verification's target, when it has metrics a step may read */
  metricsTarget: string | undefined,
): Omit<RunbookProblem, 'line' | 'column'>[] {
  const problems: Omit<RunbookProblem, 'line' | 'column'>[] = [];
  const at = (...rest: string[]) => ['commands', name, ...rest];
  if (targets && !targets.has(command.target)) {
    problems.push({ path: at('target'), message: unknownTarget(command.target, targets) });
  }
  const argsByName = new Map(command.args.map((arg) => [arg.name, arg]));
  command.args.forEach((arg, index) => {
    const problem = defaultProblem(arg);
    if (problem) problems.push({ path: at('args', String(index), 'default'), message: problem });
  });
  const steps = command.check ? [...command.steps, command.check] : command.steps;
  steps.forEach((step, index) => {
    const stepPath = index < command.steps.length ? at('steps', String(index)) : at('check');
    if (step.metrics !== undefined && index < command.steps.length) {
      if (metricsTarget === undefined)
        problems.push({
          path: [...stepPath, 'metrics'],
          message:
            'the runbook has no verification.metrics to evaluate: add that section, or give the step a run script',
        });
      else if (command.target !== metricsTarget)
        problems.push({
          path: [...stepPath, 'metrics'],
          message: `the metrics are read where /resolve reads them, on target "${metricsTarget}": give the command that target, or give the step a run script`,
        });
    }
    for (const match of step.run.matchAll(PLACEHOLDER)) {
      const argName = match[1] ?? '';
      const arg = argsByName.get(argName);
      if (!arg) {
        const suggestion = closest(argName, [...argsByName.keys()]);
        problems.push({
          path: [...stepPath, 'run'],
          message: `"{{ ${argName} }}" names no argument of "${name}"; ${suggestion ? `did you mean "{{ ${suggestion} }}"?` : 'declare it under "args"'}`,
        });
      } else if (!arg.required && arg.default === undefined && arg.kind !== 'flag') {
        problems.push({
          path: [...stepPath, 'run'],
          message: `"{{ ${argName} }}" may have no value: make "${argName}" required or give it a default`,
        });
      }
      if (insideQuotes(step.run, match.index)) {
        problems.push({
          path: [...stepPath, 'run'],
          message: `"{{ ${argName} }}" is already quoted when it expands; remove the surrounding quotes`,
        });
      }
    }
    for (const [argName, wanted] of Object.entries(step.when ?? {})) {
      const arg = argsByName.get(argName);
      if (!arg) {
        problems.push({ path: [...stepPath, 'when', argName], message: `names no argument of "${name}"` });
        continue;
      }
      const unknown = [wanted].flat().filter((value) => arg.values && !arg.values.includes(value));
      if (unknown.length > 0) {
        problems.push({
          path: [...stepPath, 'when', argName],
          message: `${unknown.join(', ')} is not one of ${arg.values?.join(', ')}`,
        });
      }
    }
  });
  return problems;
}

/** Whether position `index` of a shell script lies inside single or double quotes. */
function insideQuotes(script: string, index: number): boolean {
  let quote: '"' | "'" | undefined;
  for (let position = 0; position < index; position += 1) {
    const char = script[position];
    if (char === '\\' && quote !== "'") position += 1;
    else if (quote && char === quote) quote = undefined;
    else if (!quote && (char === '"' || char === "'")) quote = char;
  }
  return quote !== undefined;
}

/** A default must pass the argument's own rule, since it reaches the host the same way. */
function defaultProblem(arg: LooseArgument): string | undefined {
  if (arg.default === undefined) return undefined;
  const value = String(arg.default);
  if (arg.type === 'integer') {
    if (typeof arg.default !== 'number') return `the default of "${arg.name}" must be a whole number`;
    if (
      (arg.min !== undefined && arg.default < arg.min) ||
      (arg.max !== undefined && arg.default > arg.max)
    ) {
      return `the default ${value} of "${arg.name}" is outside ${arg.min ?? '…'}–${arg.max ?? '…'}`;
    }
    return undefined;
  }
  if (arg.values && !arg.values.includes(value))
    return `the default "${value}" of "${arg.name}" is not one of its values`;
  if (arg.pattern && !matchesPattern(arg.pattern, value)) {
    return `the default "${value}" of "${arg.name}" does not match its pattern`;
  }
  return undefined;
}

/** Whether `value` matches `pattern` in full; an invalid pattern has its own field error. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return true;
  }
}

function unknownTarget(name: string, targets: Set<string>): string {
  const suggestion = closest(name, [...targets]);
  const known = [...targets].join(', ') || '(none)';
  return `unknown target "${name}": ${suggestion ? `did you mean "${suggestion}"? ` : ''}targets are ${known}; define it under "targets"`;
}

/**
 * The parts of a broken runbook that still hold: its severities and verification when each is
 * valid on its own, else the built-in runbook's severities and no verification; no commands.
 */
export function fallbackRunbook(source: string | undefined, builtin: Runbook): Runbook {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = source === undefined ? undefined : parseDocument(source).toJS();
    if (isRecord(parsed)) raw = parsed;
  } catch {
    raw = {};
  }
  const { shape } = runbookSchema;
  const severities = shape.severities.safeParse(raw.severities);
  const verification = shape.verification.safeParse(raw.verification);
  const service = shape.service.safeParse(raw.service);
  return {
    version: 1,
    service: service.success ? service.data : builtin.service,
    severities:
      severities.success && Object.keys(severities.data).length > 0 ? severities.data : builtin.severities,
    targets: { default: { env: {} } },
    commands: {},
    ...(verification.success && verification.data ? { verification: verification.data } : {}),
  };
}

/**
 * Keys a plain object cannot hold (`__proto__` sets the prototype instead), which would vanish
 * from the runbook without a word: named from the YAML itself.
 */
function lostKeys(document: Document): Omit<RunbookProblem, 'line' | 'column'>[] {
  const problems: Omit<RunbookProblem, 'line' | 'column'>[] = [];
  const root = document.contents;
  if (!isMap(root)) return problems;
  for (const section of ['severities', 'targets', 'commands']) {
    const pair = root.items.find((item) => isScalar(item.key) && item.key.value === section);
    if (!pair || !isMap(pair.value)) continue;
    for (const item of pair.value.items) {
      const key = isScalar(item.key) ? String(item.key.value) : '';
      if (key === '__proto__') problems.push({ path: [section, key], message: keyProblem([section, key]) });
    }
  }
  return problems;
}
