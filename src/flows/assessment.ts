import type { Runbook } from '../config/runbook.schema.ts';
import type { Outcome } from '../outcome.ts';
import { planCommand } from '../runbook/plan.ts';
import { commandRegistry } from '../commands/registry.ts';
import { renderLineProblems } from '../report/replies.ts';
import { requiredPermission } from './authorize.ts';
import type { Dependencies } from './dependencies.ts';
import { runOnHost } from './gate.ts';

/**
 * The runbook's "Initial Assessment" (its `assess` command), run on declaration when configured.
 * The person who added the label must be allowed to run `/assess` themselves: a label is no way
 * around the permission a command needs.
 */
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
  if (!planned.ok) {
    deps.warn(`The initial assessment cannot run: ${planned.message}`);
    return { status: 'error', reason: 'invalid-target', command: 'assess', message: planned.message };
  }
  const outcome = await runOnHost(
    {
      plan: planned.plan,
      issueNumber,
      actor: declaredBy,
      required: requiredPermission(spec, deps.settings),
      purpose: 'assessment',
      execution: { user: declaredBy, source: undefined },
    },
    deps,
  );
  switch (outcome.kind) {
    case 'refused':
      await deps.writer.post(
        issueNumber,
        renderLineProblems(
          [
            {
              kind: 'refused',
              line: '/assess',
              message: `The initial assessment was not run on declaration: ${outcome.decision.message}`,
            },
          ],
          { url: '', total: 1 },
        ),
        {
          kind: 'refused',
          user: declaredBy,
          reason: outcome.decision.reason,
          by: declaredBy,
          at: deps.now().toISOString(),
        },
      );
      return {
        status: 'refused',
        reason: outcome.decision.reason,
        command: 'assess',
        message: outcome.decision.message,
      };
    case 'dry-run':
      return {
        status: 'planned',
        reason: 'dry-run',
        command: 'assess',
        message: 'dry run: assessment plan posted',
      };
    case 'executed':
      return {
        status:
          outcome.record.status === 'success' || outcome.record.status === 'findings' ? 'success' : 'failure',
        reason: 'assessment',
        command: 'assess',
        message: outcome.record.summary,
      };
  }
}
