import type { Route } from './events/route.ts';
import { handleComment } from './flows/comment.ts';
import { declareIncident, issueChanged } from './flows/declare.ts';
import { sweepIncidents } from './flows/sweep.ts';
import type { Dependencies } from './flows/dependencies.ts';
import type { Outcome } from './outcome.ts';

export type ActionableRoute = Exclude<Route, { kind: 'ignore' | 'invalid' }>;

/** Carries out one routed event. Every side effect goes through `deps`. */
export async function handle(route: ActionableRoute, deps: Dependencies): Promise<Outcome> {
  switch (route.kind) {
    case 'schedule':
      return sweepIncidents(deps);
    case 'comment':
      return combine(await handleComment(route.event, deps));
    case 'declare':
      return declareIncident(route.event, route.severity, deps);
    case 'issue-changed':
      return issueChanged(route.event, route.change, deps);
  }
}

const SEVERITY_ORDER = ['error', 'failure', 'refused', 'planned', 'success', 'ignored'] as const;

/** One outcome for the outputs: the worst status, with every command's outcome in `details`. */
function combine(outcomes: Outcome[]): Outcome {
  if (outcomes.length === 1 && outcomes[0]) return outcomes[0];
  const worst = [...outcomes].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.status) - SEVERITY_ORDER.indexOf(b.status),
  )[0];
  return {
    status: worst?.status ?? 'ignored',
    reason: worst?.reason ?? 'no-command',
    command: outcomes
      .map((outcome) => outcome.command ?? '')
      .filter(Boolean)
      .join(','),
    exitCode: worst?.exitCode,
    message: outcomes
      .map((outcome) => `${outcome.command ? '/' + outcome.command + ': ' : ''}${outcome.message}`)
      .join('; '),
    details: { commands: outcomes },
  };
}
