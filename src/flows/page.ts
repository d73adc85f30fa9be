import { declarationPages } from '../commands/lifecycle/page.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import type { IncidentSnapshot } from '../incident/snapshot.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * Pages the emergency contacts the runbook pages for this severity (or the `escalation` input's
 * people when it names no one), at once: on the declaration, and on a raise by label to a
 * severity that pages someone not yet paged. One comment per role, so that each mention notifies
 * and each page is a recorded fact. Returns the roles' names.
 */
export async function pageAtDeclaration(
  issueNumber: number,
  snapshot: IncidentSnapshot,
  runbook: Runbook,
  deps: Dependencies,
  declaredBy: { login: string; as?: string; raised?: boolean },
): Promise<string[]> {
  const pages = pagesDue(snapshot, runbook, deps, declaredBy);
  for (const page of pages) {
    await deps.writer.post(issueNumber, page.text, page.record);
    deps.log(`Paged ${page.name}`);
  }
  return pages.map((page) => page.name);
}

/** The page comments this declaration (or raise by label) is due to post; none when none is. */
export function pagesDue(
  snapshot: IncidentSnapshot,
  runbook: Runbook,
  deps: Pick<Dependencies, 'settings' | 'now'>,
  declaredBy: { login: string; as?: string; raised?: boolean },
): ReturnType<typeof declarationPages> {
  if (!snapshot.severityKey) return [];
  return declarationPages({
    runbook,
    severity: snapshot.severityKey,
    escalation: deps.settings.escalation,
    snapshot,
    by: declaredBy.login,
    ...(declaredBy.as ? { source: declaredBy.as } : {}),
    ...(declaredBy.raised ? { raised: true } : {}),
    now: deps.now(),
  });
}
