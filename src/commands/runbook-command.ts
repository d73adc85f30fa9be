import { higherOf } from '../authz/permission.ts';
import type { Permission, RunbookCommand } from '../config/runbook.schema.ts';
import type { Outcome } from '../outcome.ts';
import { redact } from '../report/redact.ts';
import { renderPendingConfirmation } from '../report/replies.ts';
import { CONFIRMATION_MINUTES, confirmationCode, planHash } from '../runbook/confirmation.ts';
import { planCommand, type Plan } from '../runbook/plan.ts';
import type { ArgumentValue } from './bind.ts';
import type { CommandDefinition, HandlerInput } from './define.ts';
import { decided, type Decision, type HostResult } from './effects.ts';

/** The permission a command needs: read-only ones their own, the rest also the `permission` floor. */
export function requiredFor(
  spec: { readOnly?: boolean; permission: Permission },
  floor: Permission,
): Permission {
  return spec.readOnly ? spec.permission : higherOf(floor, spec.permission);
}

/**
 * A command of the runbook: its steps run on the host through the gate, or, when destructive, its
 * plan is posted and waits for `/confirm`.
 */
export function runbookCommand(
  name: string,
  command: RunbookCommand,
): CommandDefinition<Record<string, ArgumentValue>> {
  const definition: CommandDefinition<Record<string, ArgumentValue>> = {
    name,
    description: command.description,
    args: command.args,
    permission: command.permission,
    source: 'runbook',
    facts: [],
    parse: (values) => values,
    handle(input) {
      const line = `/${name}`;
      const planned = planCommand(
        { spec: definition, args: input.args, line: { name, rest: '', line: 0, text: line } },
        input.runbook,
        input.settings.ssh,
        input.settings.commandTimeoutSeconds,
      );
      if (!planned.ok)
        return decided(
          { status: 'error', reason: 'invalid-target', command: name, message: planned.message },
          [],
          {
            kind: 'error',
            line,
            message: planned.message,
          },
        );
      const { plan } = planned;
      if (plan.destructive && !input.settings.dryRun) return hold(plan, input);
      return onHost(plan, 'command', { user: input.actor }, input);
    },
  };
  return definition;
}

function hold(plan: Plan, input: HandlerInput<Record<string, ArgumentValue>>): Decision {
  const code = confirmationCode(input.comment.id, plan.command, plan.args);
  const expiresAt = new Date(input.now.getTime() + CONFIRMATION_MINUTES * 60_000);
  return decided(
    {
      status: 'planned',
      reason: 'awaiting-confirmation',
      command: plan.command,
      message: `waiting for /confirm ${code}`,
      details: { code },
    },
    [
      {
        kind: 'reply',
        text: renderPendingConfirmation({ plan, code, expiresAt }),
        record: {
          kind: 'plan',
          code,
          command: plan.command,
          args: plan.args,
          source: input.comment.id,
          requestedBy: input.actor,
          expiresAt: expiresAt.toISOString(),
          planHash: planHash(plan),
        },
      },
    ],
  );
}

/** Runs `plan` through the gate; the outcome follows what the host did. */
export function onHost<A>(
  plan: Plan,
  purpose: 'command' | 'confirmed',
  execution: { user: string; confirmedBy?: string; code?: string },
  input: HandlerInput<A>,
  after: (result: HostResult, outcome: Outcome) => Decision = (_, outcome) => decided(outcome),
): Decision {
  const spec = input.registry.get(plan.command);
  const required = spec ? requiredFor(spec, input.settings.permission) : 'admin';
  return decided({ status: 'planned', reason: 'running', command: plan.command, message: 'running' }, [
    {
      kind: 'host',
      plan,
      required,
      purpose,
      execution,
      then: (result) =>
        result.kind === 'refused'
          ? decided(outcomeOf(plan, result, input.secrets), [], {
              kind: 'refused',
              line: `/${plan.command}`,
              message: result.message,
            })
          : after(result, outcomeOf(plan, result, input.secrets)),
    },
  ]);
}

function outcomeOf(plan: Plan, result: HostResult, secrets: readonly string[]): Outcome {
  switch (result.kind) {
    case 'refused':
      return { status: 'refused', reason: result.reason, command: plan.command, message: result.message };
    case 'dry-run':
      return {
        status: 'planned',
        reason: 'dry-run',
        command: plan.command,
        message: 'dry run: plan posted, nothing executed',
        details: { plan },
      };
    case 'executed': {
      const reason = (
        {
          success: 'executed',
          findings: 'findings',
          failure: 'step-failed',
          timeout: 'timeout',
          'ssh-error': 'ssh-error',
          running: 'running',
        } as const
      )[result.status];
      return {
        status: result.status === 'success' || result.status === 'findings' ? 'success' : 'failure',
        reason,
        command: plan.command,
        exitCode: result.exitCode,
        message: redact(result.summary || `/${plan.command} ${result.status}`, secrets).text,
        details: { ...result, target: plan.target, args: plan.args },
      };
    }
  }
}
