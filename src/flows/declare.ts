import type { IssuesEvent } from '../events/payload.schema.ts';
import type { Outcome } from '../outcome.ts';
import { renderDeclaration } from '../report/declaration.ts';
import { loadRunbook } from '../runbook/load.ts';
import type { Dependencies } from './dependencies.ts';

/** An incident label was added: post the declaration with the severity's targets. */
export async function declareIncident(
  event: IssuesEvent,
  severity: string,
  deps: Dependencies,
): Promise<Outcome> {
  const issueNumber = event.issue.number;
  const loaded = await loadRunbook(deps.settings.runbookPath, deps.github.readFile);
  if (!loaded.ok) {
    const body = [
      `⚠️ **The runbook ${loaded.source} is invalid**, so this incident could not be declared. Fix these and relabel the issue:`,
      '',
      ...loaded.errors.map((error) => `- \`${error}\``),
    ].join('\n');
    await deps.github.createComment(issueNumber, body);
    return { status: 'error', reason: 'invalid-runbook', message: loaded.errors.join('\n') };
  }
  const comment = await deps.github.createComment(
    issueNumber,
    renderDeclaration({
      severity,
      runbook: loaded.runbook,
      declaredBy: event.sender.login,
      declaredAt: deps.now(),
    }),
  );
  deps.log(`Declared ${severity.toUpperCase()} on issue #${issueNumber}: ${comment.htmlUrl}`);
  return {
    status: 'success',
    reason: 'declared',
    command: 'declare',
    message: `incident ${severity.toUpperCase()} declared on issue #${issueNumber}`,
    details: { severity, commentUrl: comment.htmlUrl, runbook: loaded.source },
  };
}
