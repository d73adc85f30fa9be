import type { ArgumentValue, BoundCommand } from '../commands/bind.ts';
import type { SshSettings } from '../config/inputs.ts';
import type { Runbook, RunbookStep } from '../config/runbook.schema.ts';
import type { StepResult } from '../executor/port.ts';
import { metricsScript, type Metrics } from '../incident/verify.ts';
import { shellQuote } from './shell-quote.ts';

export interface Target {
  name: string;
  host: string;
  port: number;
  user: string;
  /** the target's host settings, set before each step unless the session already has them */
  env: Record<string, string>;
}

/** A runbook target with the ssh inputs filling what it leaves out. */
export function resolveTarget(runbook: Runbook, name: string, ssh: SshSettings): Target {
  const definition = runbook.targets[name];
  return {
    name,
    host: definition?.host ?? ssh.host,
    port: definition?.port ?? ssh.port,
    user: definition?.user ?? ssh.user,
    env: definition?.env ?? {},
  };
}

/**
 * A step's script as the host runs it: the target's settings first, each one only where the
 * account's session does not set it already (a VM may differ from the runbook's defaults).
 */
export function withEnvironment(env: Record<string, string>, script: string): string {
  const lines = Object.entries(env).map(
    ([name, value]) => `if [ -z "\${${name}+set}" ]; then ${name}=${shellQuote(value)}; fi; export ${name}`,
  );
  return lines.length === 0 ? script : `${lines.join('\n')}\n${script}`;
}

export interface PlannedStep {
  name: string;
  /** The remote script with every argument substituted as a quoted shell word. */
  script: string;
  continueOnError: boolean;
  destructive: boolean;
  /** set when the step reads the verification's metrics: its output is judged against these */
  metrics?: Metrics;
}

export interface Plan {
  command: string;
  args: Record<string, ArgumentValue>;
  target: Target;
  steps: PlannedStep[];
  check: PlannedStep | undefined;
  timeoutSeconds: number;
  destructive: boolean;
  /** The command only looks: what its steps find is reported as findings, not as a failure. */
  diagnostic: boolean;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; message: string };

/** Turns a bound runbook command into the exact remote steps it will run. Pure. */
export function planCommand(
  command: BoundCommand,
  runbook: Runbook,
  ssh: SshSettings,
  defaultTimeoutSeconds: number,
): PlanResult {
  const definition = runbook.commands[command.spec.name];
  if (!definition) return { ok: false, message: `/${command.spec.name} is not a runbook command` };
  const target = resolveTarget(runbook, definition.target, ssh);
  if (!target.host || !target.user) {
    return {
      ok: false,
      message: `target "${target.name}" has no ${target.host ? 'user' : 'host'}: set the ssh-${target.host ? 'user' : 'host'} input or the target in the runbook`,
    };
  }
  const metrics = runbook.verification?.metrics;
  const render = (step: RunbookStep): PlannedStep => ({
    name: step.name,
    // The schema and the loader see to it that a metrics step has a metrics section to read.
    script: step.metrics && metrics ? metricsScript(metrics) : renderScript(step.run ?? '', command.args),
    continueOnError: step['continue-on-error'],
    destructive: step.destructive,
    ...(step.metrics && metrics ? { metrics } : {}),
  });
  const steps = definition.steps.filter((step) => applies(step, command.args)).map(render);
  return {
    ok: true,
    plan: {
      command: command.spec.name,
      args: command.args,
      target,
      steps,
      check: definition.check ? render(definition.check) : undefined,
      timeoutSeconds: definition.timeout ?? defaultTimeoutSeconds,
      destructive: definition.destructive || steps.some((step) => step.destructive),
      diagnostic: definition.diagnostic && !definition.destructive,
    },
  };
}

/** Replaces `{{ name }}` with the argument as one quoted shell word. */
export function renderScript(script: string, args: Record<string, ArgumentValue>): string {
  return script.replace(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const value = args[name];
    if (value === undefined) throw new Error(`no value for {{ ${name} }}`);
    return shellQuote(String(value));
  });
}

function applies(step: RunbookStep, args: Record<string, ArgumentValue>): boolean {
  return Object.entries(step.when ?? {}).every(([name, wanted]) =>
    [wanted].flat().includes(String(args[name])),
  );
}

/** Where a command stops: ssh failed, the step timed out, or it failed and may not fail. */
export function stopsAfter(result: StepResult, step: Pick<PlannedStep, 'continueOnError'>): boolean {
  return (
    result.outcome === 'ssh-error' ||
    result.outcome === 'timeout' ||
    (result.outcome === 'failed' && !step.continueOnError)
  );
}
