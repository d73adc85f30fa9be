import type { ArgumentValue, BoundCommand } from '../commands/bind.ts';
import type { SshSettings } from '../config/inputs.ts';
import type { Runbook, RunbookStep } from '../config/runbook.schema.ts';
import type { StepResult } from '../executor/port.ts';
import { shellQuote } from './shell-quote.ts';

export interface Target {
  name: string;
  host: string;
  port: number;
  user: string;
}

export interface PlannedStep {
  name: string;
  /** The remote script with every argument substituted as a quoted shell word. */
  script: string;
  continueOnError: boolean;
  destructive: boolean;
}

export interface Plan {
  command: string;
  args: Record<string, ArgumentValue>;
  target: Target;
  steps: PlannedStep[];
  check: PlannedStep | undefined;
  timeoutSeconds: number;
  destructive: boolean;
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
  const targetDefinition = runbook.targets[definition.target] ?? {};
  const target: Target = {
    name: definition.target,
    host: targetDefinition.host ?? ssh.host,
    port: targetDefinition.port ?? ssh.port,
    user: targetDefinition.user ?? ssh.user,
  };
  if (!target.host || !target.user) {
    return {
      ok: false,
      message: `target "${target.name}" has no ${target.host ? 'user' : 'host'}: set the ssh-${target.host ? 'user' : 'host'} input or the target in the runbook`,
    };
  }
  const render = (step: RunbookStep): PlannedStep => ({
    name: step.name,
    script: renderScript(step.run, command.args),
    continueOnError: step['continue-on-error'],
    destructive: step.destructive,
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
