import type { IssuesEvent } from '../events/payload.schema.ts';
import type { Outcome } from '../outcome.ts';
import { renderInvalidRunbook } from '../report/replies.ts';
import { loadRunbook, type LoadedRunbook } from '../runbook/load.ts';
import type { Dependencies } from './dependencies.ts';
import { loadIncident, publishBoard } from './incident.ts';
import { finalize, incidentContext } from './finalize.ts';
import { runAssessment } from './assessment.ts';
import { pageAtDeclaration, pagesDue } from './page.ts';

async function runbookOrReport(
  issueNumber: number,
  actor: string,
  deps: Dependencies,
): Promise<LoadedRunbook> {
  const loaded = await loadRunbook(deps.settings.runbookPath, 'on the default branch', deps.github.readFile);
  if (!loaded.ok) {
    await deps.writer.post(
      issueNumber,
      `${renderInvalidRunbook(loaded.source, loaded.errors, 'the incident cannot be tracked')}\n\nThen relabel the issue.`,
      { kind: 'refused', user: actor, reason: 'invalid-runbook', by: actor, at: deps.now().toISOString() },
    );
  }
  return loaded;
}

/**
 * An incident label was added. The first one declares the incident: the status board is posted
 * (and the initial assessment run when configured). Later ones are severity changes by hand.
 */
export async function declareIncident(
  event: IssuesEvent,
  severity: string,
  deps: Dependencies,
): Promise<Outcome> {
  const issue = { number: event.issue.number, title: event.issue.title };
  const loaded = await runbookOrReport(issue.number, event.sender.login, deps);
  if (!loaded.ok) return { status: 'error', reason: 'invalid-runbook', message: loaded.errors.join('\n') };
  const context = incidentContext(deps, loaded.runbook);
  const snapshot = await loadIncident(issue, context, {
    kind: 'labeled' as const,
    at: deps.now(),
    actor: event.sender.login,
    severity,
  });
  if (!snapshot.severity) {
    const known = Object.keys(loaded.runbook.severities)
      .map((key) => key.toUpperCase())
      .join(', ');
    await deps.writer.post(
      issue.number,
      `⚠️ **${severity.toUpperCase()} is not a severity in this runbook** (it has ${known}). Relabel the issue with one of those.`,
      {
        kind: 'refused',
        user: event.sender.login,
        reason: 'unknown-severity',
        by: event.sender.login,
        at: deps.now().toISOString(),
      },
    );
    return { status: 'refused', reason: 'unknown-severity', message: `${severity} is not in the runbook` };
  }
  const declaredNow = !snapshot.board;
  // The board first (the issue's first comment), then the page, then stakeholders' channel: a
  // slow or failing Slack never holds up a page. Without a page, one board write does it all.
  const declarer = { login: event.sender.login, raised: !declaredNow };
  const willPage = pagesDue(snapshot, loaded.runbook, deps, declarer).length > 0;
  let boardUrl = await publishBoard(snapshot, context, { notify: !willPage });
  const paged = willPage
    ? await pageAtDeclaration(issue.number, snapshot, loaded.runbook, deps, declarer)
    : [];
  if (willPage) boardUrl = await publishBoard(await loadIncident(issue, context), context);
  const assessment =
    declaredNow && deps.settings.initialAssessment
      ? await runAssessment(issue.number, event.sender.login, deps, loaded.runbook)
      : undefined;
  deps.log(
    `${declaredNow ? 'Declared' : 'Updated'} ${snapshot.severityKey?.toUpperCase()} on issue #${issue.number}: ${boardUrl}`,
  );
  return {
    status: 'success',
    reason: declaredNow ? 'declared' : 'severity-changed',
    command: 'declare',
    message: `incident ${snapshot.severityKey?.toUpperCase()} ${declaredNow ? 'declared' : 'relabelled'} on issue #${issue.number}`,
    details: {
      severity: snapshot.severityKey,
      boardUrl,
      runbook: loaded.source,
      ...(assessment ? { assessment } : {}),
      ...(paged.length > 0 ? { paged } : {}),
    },
  };
}

/** A label removed, the issue closed or reopened by hand: the incident follows. */
export async function issueChanged(
  event: IssuesEvent,
  change: 'unlabeled' | 'closed' | 'reopened',
  deps: Dependencies,
): Promise<Outcome> {
  const issue = { number: event.issue.number, title: event.issue.title, url: event.issue.html_url };
  const loaded = await runbookOrReport(issue.number, event.sender.login, deps);
  if (!loaded.ok) return { status: 'error', reason: 'invalid-runbook', message: loaded.errors.join('\n') };
  const context = incidentContext(deps, loaded.runbook);
  if (change === 'closed') {
    const { followUp } = await finalize(issue, deps, context, []);
    return {
      status: 'success',
      reason: 'closed',
      command: 'close',
      message: `issue #${issue.number} closed${followUp ? `; review in #${followUp}` : ''}`,
    };
  }
  if (change === 'reopened') {
    await deps.writer.post(
      issue.number,
      `🔄 **Reopened by @${event.sender.login}: the incident resumes.** The board and its timers are back on.`,
      { kind: 'answered', command: 'reopen', by: event.sender.login, at: deps.now().toISOString() },
    );
  }
  await publishBoard(await loadIncident(issue, context), context);
  return {
    status: 'success',
    reason: change,
    command: change === 'reopened' ? 'reopen' : 'relabel',
    message: `issue #${issue.number} ${change}`,
  };
}
