import type { Runbook } from '../config/runbook.schema.ts';
import type { Incident } from '../incident/state.ts';
import { resolveTarget } from '../runbook/plan.ts';
import { renderPostmortem, REVIEW_WITHIN_MS } from '../report/postmortem.ts';
import { echo, utc } from '../report/markdown.ts';
import type { Dependencies } from './dependencies.ts';
import { loadIncident, publishBoard, type IncidentContext } from './incident.ts';

export function incidentContext(deps: Dependencies, runbook: Runbook): IncidentContext {
  return {
    github: deps.github,
    writer: deps.writer,
    sealer: deps.sealer,
    runbook,
    selfLogin: deps.selfLogin,
    labelPrefix: deps.settings.labelPrefix,
    now: deps.now,
    notifier: deps.notifier,
    issueUrl: deps.issueUrl,
    log: deps.log,
  };
}

/**
 * After resolution: the postmortem comment, the follow-up review issue (labelled `postmortem`,
 * due 72 hours after resolution, linked both ways), the closed issue and the final board.
 * Does nothing twice: a posted postmortem is found again on the issue.
 */
export async function finalize(
  issue: { number: number; title: string; url: string },
  deps: Dependencies,
  context: IncidentContext,
  verification: string[],
): Promise<{ followUp: number | undefined }> {
  const snapshot = await loadIncident(issue, context);
  const { incident } = snapshot;
  if (incident.postmortem || !snapshot.severity || !snapshot.severityKey || !snapshot.sla) {
    await publishBoard(snapshot, context);
    return { followUp: incident.postmortem?.followUp };
  }
  const resolvedAt = incident.resolvedAt ?? deps.now();
  const reviewDue = new Date(resolvedAt.getTime() + REVIEW_WITHIN_MS);
  const followUp =
    incident.followUp !== undefined
      ? { number: incident.followUp, url: '' }
      : await deps.github
          .createIssue({
            title: `Post-incident review: ${issue.title} (#${issue.number})`,
            labels: ['postmortem'],
            body: [
              `Post-incident review of #${issue.number} (${snapshot.severityKey.toUpperCase()} — ${snapshot.severity.name}).`,
              '',
              `**Due: ${utc(reviewDue)}** (72 hours after resolution at ${utc(resolvedAt)}).`,
              '',
              `The postmortem draft, with the timeline and figures, is on #${issue.number}: ${issue.url}`,
              '',
              '- [ ] Timeline review: document the incident timeline',
              '- [ ] Root cause analysis: identify underlying causes',
              '- [ ] Action items: create follow-up tasks',
              '- [ ] Process improvements: update runbooks and monitoring',
            ].join('\n'),
          })
          .then((created) => ({ number: created.number, url: created.htmlUrl }));
  // The alert group pages again from now on: the silence /ack created is expired.
  const silence = await expireSilence(incident, context.runbook, deps);
  const body = renderPostmortem({
    incident,
    severityKey: snapshot.severityKey,
    severity: snapshot.severity,
    sla: snapshot.sla,
    issue,
    reviewDue,
    followUp,
    verification,
  });
  await deps.writer.post(
    issue.number,
    `${body}${silence ? `\n\n${silenceLine(silence)}` : ''}\n\n---\n📋 Post-incident review: #${followUp.number}, due ${utc(reviewDue)}.`,
    {
      kind: 'postmortem',
      by: deps.selfLogin,
      at: deps.now().toISOString(),
      followUp: followUp.number,
      ...(silence ? { silence } : {}),
    },
  );
  const current = await deps.github.getIssue(issue.number);
  if (current.state === 'open') await deps.github.closeIssue(issue.number);
  await publishBoard(await loadIncident(issue, context), context);
  return { followUp: followUp.number };
}

/** Expires the incident's Alertmanager silence, if it has one still active. */
async function expireSilence(
  incident: Incident,
  runbook: Runbook,
  deps: Dependencies,
): Promise<{ id: string; expired: boolean; error?: string } | undefined> {
  const silence = incident.silence;
  const config = runbook.alerts?.silence;
  if (!silence || silence.expiredAt) return undefined;
  if (!config) return { id: silence.id, expired: false, error: 'the runbook no longer has alerts.silence' };
  const result = await deps.silencer.expire(
    resolveTarget(runbook, config.target, deps.settings.ssh),
    silence.id,
  );
  deps.log(
    result.ok
      ? `Expired Alertmanager silence ${silence.id}`
      : `Could not expire silence ${silence.id}: ${result.error}`,
  );
  return result.ok
    ? { id: silence.id, expired: true }
    : { id: silence.id, expired: false, error: result.error.slice(0, 300) };
}

function silenceLine(silence: { id: string; expired: boolean; error?: string }): string {
  return silence.expired
    ? `🔔 The Alertmanager silence \`${silence.id}\` was expired: the alert group pages again.`
    : `⚠️ **The Alertmanager silence \`${silence.id}\` could not be expired** (${echo(silence.error ?? 'unknown', 200)}): expire it by hand, or the alert group stays silent until it ends.`;
}
