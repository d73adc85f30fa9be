import { INSECURE_WARNING } from '../report/warnings.ts';
import type { Decision } from '../authz/decide.ts';
import type { Permission } from '../config/runbook.schema.ts';
import type { PostedComment } from '../github/port.ts';
import { renderPlan } from '../report/replies.ts';
import type { Plan } from '../runbook/plan.ts';
import type { Dependencies } from './dependencies.ts';
import { executePlan, type ExecutionRecord, type ExecutionRequest } from './execute.ts';

/** Why the host is asked to run something; it names the plan in a dry run. */
export type HostPurpose = 'command' | 'confirmed' | 'assessment' | 'verification';

export interface HostRequest {
  plan: Plan;
  issueNumber: number;
  /** Whose permission is checked: the commenter, the confirmer, the person who labelled or resolved. */
  actor: string;
  /** What the command needs; checked here, whichever path led here. */
  required: Permission;
  purpose: HostPurpose;
  execution: ExecutionRequest;
}

export type HostOutcome =
  | { kind: 'refused'; decision: Extract<Decision, { allowed: false }> }
  | { kind: 'dry-run'; comment: PostedComment }
  | { kind: 'executed'; record: ExecutionRecord };

const DRY_RUN_HEADING: Record<HostPurpose, (plan: Plan) => string> = {
  command: (plan) => `### 📝 Dry run: \`/${plan.command}\` would run`,
  confirmed: (plan) => `### 📝 Dry run: the confirmed \`/${plan.command}\` would run`,
  assessment: () => '### 📝 Dry run: the initial assessment would run',
  verification: () => '### 📝 Dry run: the resolution verification would run',
};

/**
 * The one way to the deployment host. Whatever asked (a command, a confirmation, the initial
 * assessment, the resolution's verification), the actor's permission is checked here, a dry run
 * posts the plan and runs nothing, and the host-key warning goes with every result.
 */
export async function runOnHost(request: HostRequest, deps: Dependencies): Promise<HostOutcome> {
  const decision = await deps.authorizer.authorize(request.actor, request.required);
  if (!decision.allowed) return { kind: 'refused', decision };
  deps.log(
    `@${request.actor} may have the host run /${request.plan.command} (${request.purpose}): ${decision.because}`,
  );
  if (deps.settings.dryRun) {
    const text = `${renderPlan(request.plan, DRY_RUN_HEADING[request.purpose](request.plan))}\nNothing was executed (\`dry-run: true\`).`;
    const comment = await deps.writer.post(request.issueNumber, text, {
      kind: 'result',
      command: request.plan.command,
      ...(request.execution.source ? { source: request.execution.source.id } : {}),
      status: 'planned',
      by: request.execution.user,
      at: deps.now().toISOString(),
    });
    return { kind: 'dry-run', comment };
  }
  const warnings = deps.settings.ssh.insecureSkipHostKeyCheck ? [INSECURE_WARNING] : [];
  for (const warning of warnings) deps.warn(warning);
  const record = await executePlan(request.plan, request.execution, {
    writer: deps.writer,
    issueNumber: request.issueNumber,
    now: deps.now,
    createExecutor: deps.createExecutor,
    knownSecrets: deps.secrets,
    runUrl: deps.runUrl,
    warnings,
    log: deps.log,
    warn: deps.warn,
  });
  return { kind: 'executed', record };
}
