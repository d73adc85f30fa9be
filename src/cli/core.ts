/**
 * What the terminal client decides, without a terminal: checking a runbook, planning a command
 * line, running a plan step by step into the journal, and what a replay posts. The same parsing,
 * binding, planning and executor the action uses; `src/cli/index.ts` wires the real terminal,
 * files, ssh and GitHub to it.
 */
import { bindCommand, type BoundCommand } from '../commands/bind.ts';
import { extractCommandLines } from '../commands/extract.ts';
import { ENTRIES_PER_JOURNAL_COMMENT } from '../commands/lifecycle/journal.ts';
import { commandRegistry } from '../commands/registry.ts';
import { requiredFor } from '../commands/runbook-command.ts';
import { usage } from '../commands/usage.ts';
import type { SshSettings } from '../config/inputs.ts';
import { parseRunbook, type RunbookProblem } from '../config/runbook.ts';
import { PERMISSION_LEVELS, type Permission, type Runbook } from '../config/runbook.schema.ts';
import type { RemoteExecutor, StepResult } from '../executor/port.ts';
import {
  checkJournal,
  JOURNAL_OUTPUT_CHARS,
  nextEntry,
  toNdjson,
  type JournalEntry,
  type JournalEvent,
} from '../journal/journal.ts';
import { renderPlan } from '../report/replies.ts';
import {
  planCommand,
  stopsAfter,
  withEnvironment,
  type Plan,
  type PlannedStep,
  type Target,
} from '../runbook/plan.ts';

// ---------------------------------------------------------------------------------------------
// validate

export type OutputFormat = 'text' | 'github';

/** Every problem of a runbook file, as text for a person or as workflow annotations. */
export function validateRunbook(
  text: string,
  file: string,
  format: OutputFormat,
): { output: string; exitCode: 0 | 1 } {
  const result = parseRunbook(text, file);
  if (result.ok) {
    const count = Object.keys(result.runbook.commands).length;
    return { output: `${file}: valid (${count} command${count === 1 ? '' : 's'})\n`, exitCode: 0 };
  }
  const lines =
    format === 'github'
      ? result.problems.map((problem) => annotation(file, problem))
      : [
          ...result.errors,
          `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${file}`,
        ];
  return { output: `${lines.join('\n')}\n`, exitCode: 1 };
}

/** `::error file=…,line=…,col=…,title=…::message`, escaped as the runner's workflow commands want. */
function annotation(file: string, problem: RunbookProblem): string {
  const property = (value: string) =>
    value
      .replace(/%/g, '%25')
      .replace(/\r/g, '%0D')
      .replace(/\n/g, '%0A')
      .replace(/:/g, '%3A')
      .replace(/,/g, '%2C');
  const data = (value: string) => value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const where = [
    `file=${property(file)}`,
    ...(problem.line ? [`line=${problem.line}`] : []),
    ...(problem.column ? [`col=${problem.column}`] : []),
    `title=${property(problem.path.length > 0 ? problem.path.join('.') : 'runbook')}`,
  ].join(',');
  return `::error ${where}::${data(problem.message)}`;
}

// ---------------------------------------------------------------------------------------------
// plan

export interface PlanRequest {
  line: string;
  runbook: Runbook;
  runbookSource: string;
  /** The `permission` input's floor (write by default). */
  floor: Permission;
  /** A role to check: may someone with it run the command? */
  as?: Permission | undefined;
  ssh: Pick<SshSettings, 'host' | 'port' | 'user'>;
  defaultTimeoutSeconds: number;
}

export type Planned =
  | { ok: true; plan: Plan; bound: BoundCommand; required: Permission; text: string }
  | { ok: false; message: string };

/** The exact plan the action would post for a command line, and who may run it. Offline. */
export function planLine(request: PlanRequest): Planned {
  const typed = request.line.trim().startsWith('/') ? request.line.trim() : `/${request.line.trim()}`;
  const [line, ...more] = extractCommandLines(typed);
  if (!line || more.length > 0) return { ok: false, message: `"${request.line}" is not one command line` };
  const registry = commandRegistry(request.runbook);
  const bound = bindCommand(line, registry);
  if (!bound.ok) {
    const { message, suggestion } = bound.error;
    return { ok: false, message: `${message}${suggestion ? ` Did you mean /${suggestion}?` : ''}` };
  }
  const spec = bound.command.spec;
  if (spec.source !== 'runbook') {
    return {
      ok: false,
      message: `/${spec.name} is one of the action's own commands, not a runbook command: it has no plan (usage: ${usage(spec)})`,
    };
  }
  const planned = planCommand(
    bound.command,
    request.runbook,
    { ...request.ssh, privateKey: '', knownHosts: '', jumpHost: undefined, insecureSkipHostKeyCheck: false },
    request.defaultTimeoutSeconds,
  );
  if (!planned.ok) return planned;
  const { plan } = planned;
  const required = requiredFor(spec, request.floor);
  const who = request.as
    ? rank(request.as) >= rank(required)
      ? `A person with **${request.as}** access may run it.`
      : `A person with **${request.as}** access may **not** run it: it needs **${required}**.`
    : `Who may run it: **${required}** access or more.`;
  const heading = plan.destructive
    ? `### ⚠️ \`/${plan.command}\` is destructive: it runs only after a confirmation`
    : `### \`/${plan.command}\` would run this plan`;
  const text = [renderPlan(plan, heading).trimEnd(), '', who, `Runbook: \`${request.runbookSource}\`.`].join(
    '\n',
  );
  return { ok: true, plan, bound: bound.command, required, text: `${text}\n` };
}

const rank = (permission: Permission) => PERMISSION_LEVELS.indexOf(permission);

// ---------------------------------------------------------------------------------------------
// run

/** What a terminal session does outside the decision: the ports `run` is given. */
export interface SessionPorts {
  executor: (target: Target) => RemoteExecutor;
  /** Asks the person at the terminal; resolves with what they typed (empty when there is no terminal). */
  ask: (question: string) => Promise<string>;
  /** Appends entries to the journal file (each written and flushed before the next step runs). */
  append: (ndjson: string) => void;
  print: (text: string) => void;
  now: () => Date;
}

export interface SessionRequest {
  planned: Extract<Planned, { ok: true }>;
  /** Who ran it: the GitHub login the timeline will credit. */
  login: string;
  runbookSource: string;
  /** The last entry of the journal file, when it already has some: the chain goes on from it. */
  last: JournalEntry | undefined;
}

export interface SessionResult {
  status: 'success' | 'failure' | 'timeout' | 'ssh-error' | 'declined';
  exitCode: number | undefined;
  entries: JournalEntry[];
}

/**
 * Runs a planned command from the terminal: asks for the same confirmation a destructive command
 * needs on the issue (typing its name), then runs the steps over one connection, stopping where
 * the action stops, printing each step and journalling each event before the next begins.
 */
export async function runSession(request: SessionRequest, ports: SessionPorts): Promise<SessionResult> {
  const { plan, bound } = request.planned;
  const entries: JournalEntry[] = [];
  let last = request.last;
  const record = (event: JournalEvent) => {
    const entry = nextEntry(last, event);
    ports.append(toNdjson([entry]));
    entries.push(entry);
    last = entry;
  };
  const at = () => ports.now().toISOString();
  const by = request.login;
  if (!last) {
    record({
      kind: 'session',
      at: at(),
      by,
      host: plan.target.host,
      user: plan.target.user,
      runbook: request.runbookSource,
    });
  }
  const commandLine = `/${plan.command}${Object.entries(bound.args)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([name, value]) => (value === true ? ` --${name}` : ` ${name}=${String(value)}`))
    .join('')}`;
  record({
    kind: 'command',
    at: at(),
    by,
    line: commandLine.slice(0, 500),
    command: plan.command,
    target: `${plan.target.user}@${plan.target.host}:${plan.target.port}`,
    destructive: plan.destructive,
  });
  ports.print(request.planned.text);
  if (plan.destructive) {
    const typed = await ports.ask(
      `/${plan.command} is destructive. Type its name (${plan.command}) to run exactly this plan: `,
    );
    if (typed.trim() !== plan.command) {
      record({ kind: 'declined', at: at(), by, command: plan.command });
      ports.print(`Not confirmed: nothing ran.\n`);
      return { status: 'declined', exitCode: undefined, entries };
    }
    record({ kind: 'confirmed', at: at(), by, command: plan.command });
  }
  const steps: { step: PlannedStep; kind: 'step' | 'check' }[] = [
    ...plan.steps.map((step) => ({ step, kind: 'step' as const })),
    ...(plan.check ? [{ step: plan.check, kind: 'check' as const }] : []),
  ];
  let failed: StepResult | undefined;
  let tolerated: StepResult | undefined;
  let lastResult: StepResult | undefined;
  const executor = ports.executor(plan.target);
  try {
    for (const [index, { step, kind }] of steps.entries()) {
      ports.print(`[${index + 1}/${steps.length}] ${kind === 'check' ? 'check: ' : ''}${step.name} … `);
      const result = await executor.run(withEnvironment(plan.target.env, step.script), plan.timeoutSeconds);
      lastResult = result;
      ports.print(
        `${result.outcome}${result.exitCode === undefined ? '' : ` (exit ${result.exitCode})`}, ${(result.durationMs / 1000).toFixed(1)} s\n`,
      );
      if (result.output.trim()) ports.print(indent(result.output));
      if (result.sshError) ports.print(`  ${result.sshError}\n`);
      record({
        kind: 'step',
        at: at(),
        by,
        command: plan.command,
        step: step.name.slice(0, 200),
        outcome: result.outcome,
        exitCode: result.exitCode ?? null,
        durationMs: Math.round(result.durationMs),
        output: result.output.slice(-JOURNAL_OUTPUT_CHARS),
      });
      if (stopsAfter(result, step)) {
        failed = result;
        break;
      }
      if (result.outcome !== 'ok') tolerated = result;
    }
  } finally {
    await executor.close();
  }
  const status = failed
    ? failed.outcome === 'ssh-error' || failed.outcome === 'timeout'
      ? failed.outcome
      : 'failure'
    : tolerated
      ? 'failure'
      : 'success';
  const exitCode = (failed ?? tolerated ?? lastResult)?.exitCode;
  record({ kind: 'result', at: at(), by, command: plan.command, status, exitCode: exitCode ?? null });
  ports.print(`/${plan.command}: ${status}${exitCode === undefined ? '' : ` (exit ${exitCode})`}\n`);
  return { status, exitCode, entries };
}

const indent = (text: string) =>
  `${text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;

// ---------------------------------------------------------------------------------------------
// replay

/**
 * Entries per `/journal` comment: the action's reply lists them and its sealed record holds them,
 * both inside GitHub's 65,536 characters even when every entry's text is at its longest and
 * escapes to several times its length (a test posts that worst case).
 */
export const ENTRIES_PER_COMMENT = ENTRIES_PER_JOURNAL_COMMENT;
/** Characters of journal per comment (GitHub takes 65,536 per body). */
export const JOURNAL_CHARS_PER_COMMENT = 60_000;

export interface IssueCommentText {
  author: string;
  body: string;
}

export type ReplayPlan =
  { ok: true; comments: string[]; alreadyThere: number; total: number } | { ok: false; message: string };

/**
 * What a replay posts: the entries the action has not recorded yet (its `offline` records say
 * which it has), as `/journal` comments of at most ENTRIES_PER_COMMENT entries, oldest first.
 * Only the action's records count: a `/journal` comment it refused, or that no run answered, or
 * someone else's copy, never makes a replay leave entries out (one posted twice is refused as
 * already recorded). A broken chain posts nothing.
 */
export function planReplay(
  journalText: string,
  existing: readonly IssueCommentText[],
  botLogin: string,
): ReplayPlan {
  const checked = checkJournal(journalText);
  if (!checked.ok)
    return { ok: false, message: `the journal is refused (line ${checked.line}): ${checked.message}` };
  const posted = new Set<string>();
  for (const { author, body } of existing) {
    const record = author === botLogin ? recordOf(body) : undefined;
    if (record?.kind !== 'offline') continue;
    for (const match of JSON.stringify(record).matchAll(/"hash":"([0-9a-f]{64})"/g)) {
      if (match[1]) posted.add(match[1]);
    }
  }
  const fresh = checked.entries.filter((entry) => !posted.has(entry.hash));
  const comments: string[] = [];
  let chunk: JournalEntry[] = [];
  let chars = 0;
  for (const entry of fresh) {
    const size = JSON.stringify(entry).length + 1;
    if (
      chunk.length === ENTRIES_PER_COMMENT ||
      (chunk.length > 0 && chars + size > JOURNAL_CHARS_PER_COMMENT)
    ) {
      comments.push(journalComment(chunk, checked.entries.length));
      chunk = [];
      chars = 0;
    }
    chunk.push(entry);
    chars += size;
  }
  if (chunk.length > 0) comments.push(journalComment(chunk, checked.entries.length));
  return {
    ok: true,
    comments,
    alreadyThere: checked.entries.length - fresh.length,
    total: checked.entries.length,
  };
}

/** The record at the end of one of the action's comments (its seal is the action's to check). */
function recordOf(body: string): { kind?: unknown; source?: unknown } | undefined {
  const marker = /<!-- incident-issueops (\{[^\n]*\}) -->\s*$/.exec(body)?.[1];
  try {
    const record: unknown = marker ? JSON.parse(marker) : undefined;
    return record !== null && typeof record === 'object' ? record : undefined;
  } catch {
    return undefined;
  }
}

function journalComment(entries: JournalEntry[], total: number): string {
  const first = entries[0];
  const lastEntry = entries.at(-1);
  return [
    '/journal',
    '',
    `Offline journal: entries ${first?.seq}–${lastEntry?.seq} of ${total}, from ${first?.at} to ${lastEntry?.at}, replayed with \`incident-issueops replay\`.`,
    '',
    '<details><summary>Journal entries (NDJSON, hash-chained)</summary>',
    '',
    '```ndjson',
    toNdjson(entries).trimEnd(),
    '```',
    '',
    '</details>',
  ].join('\n');
}
