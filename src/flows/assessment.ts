import type { Runbook } from '../config/runbook.schema.ts';
import type { Outcome } from '../outcome.ts';
import { planCommand } from '../runbook/plan.ts';
import { commandRegistry } from '../commands/registry.ts';
import type { Dependencies } from './dependencies.ts';
import { executePlan } from './execute.ts';

/** The runbook's "Initial Assessment" (its `assess` command), run on declaration when configured. */
export async function runAssessment(
  issueNumber: number,
  declaredBy: string,
  deps: Dependencies,
  runbook: Runbook,
): Promise<Outcome | undefined> {
  const spec = commandRegistry(runbook).get('assess');
  if (!spec || spec.source !== 'runbook') {
    deps.log('initial-assessment is on, but the runbook has no "assess" command');
    return undefined;
  }
  const line = { name: 'assess', rest: '', line: 0, text: '/assess' };
  const planned = planCommand(
    { spec, args: {}, line },
    runbook,
    deps.settings.ssh,
    deps.settings.commandTimeoutSeconds,
  );
  if (!planned.ok) return undefined;
  const record = await executePlan(
    planned.plan,
    { user: declaredBy, commentId: 0, commentUrl: '' },
    {
      github: deps.github,
      issueNumber,
      createExecutor: deps.createExecutor,
      knownSecrets: deps.secrets,
      runUrl: deps.runUrl,
      warnings: [],
      log: deps.log,
    },
  );
  return {
    status: record.status === 'success' ? 'success' : 'failure',
    reason: 'assessment',
    command: 'assess',
    message: record.summary,
  };
}
