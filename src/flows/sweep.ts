import { formatDuration } from '../config/duration.ts';
import type { IssueSummary } from '../github/port.ts';
import { humanDuration } from '../incident/sla.ts';
import type { Outcome } from '../outcome.ts';
import { utc } from '../report/markdown.ts';
import { loadRunbook } from '../runbook/load.ts';
import type { Dependencies } from './dependencies.ts';
import { loadIncident, publishBoard } from './incident.ts';
import { incidentContext, reviewRecordOf } from './finalize.ts';
import { readRecords } from '../records/read.ts';
import type { RecordOf } from '../records/record.schema.ts';
import { renderReviewReminder } from '../report/review.ts';
import { drainQueue } from './queue.ts';
import { applyDecision } from './effects.ts';
import { expiredPlanEffects, plansPastExpiry } from '../commands/builtin/confirm.ts';
import { commandRegistry } from '../commands/registry.ts';
import { decided } from '../commands/effects.ts';
import type { Runbook } from '../config/runbook.schema.ts';

/**
 * The scheduled run: every open incident is rebuilt and held to its targets. Not acknowledged in
 * time: an escalation to the configured people. No status update within the cadence (P0/P1): a
 * reminder to the commander. Each breach is recorded and labelled; every board is refreshed.
 */
export async function sweepIncidents(deps: Dependencies): Promise<Outcome> {
  const loaded = await loadRunbook(deps.settings.runbookPath, 'on the default branch', deps.github.readFile);
  // A broken runbook does not stop the clocks: its severities (or the built-in ones) still hold.
  if (!loaded.ok) deps.warn(`The runbook ${loaded.source} is invalid:\n${loaded.errors.join('\n')}`);
  const runbook = loaded.ok ? loaded.runbook : loaded.fallback;
  const context = incidentContext(deps, runbook);
  const byNumber = new Map<number, IssueSummary>();
  for (const key of Object.keys(runbook.severities)) {
    for (const issue of await deps.github.listOpenIssues(`${deps.settings.labelPrefix}${key}`))
      byNumber.set(issue.number, issue);
  }
  const breachLabel = `${deps.settings.labelPrefix}sla-missed`;
  let escalations = 0;
  let reminders = 0;
  let commands = 0;
  let plans = 0;
  for (const issue of byNumber.values()) {
    const snapshot = await loadIncident(issue, context);
    const { incident, sla, severity } = snapshot;
    if (!sla || !severity || !incident.declaredAt) continue;
    const now = deps.now();
    let posted = false;
    const post = async (kind: 'escalation' | 'reminder', text: string) => {
      await deps.writer.post(issue.number, text, { kind, by: deps.selfLogin, at: now.toISOString() });
      posted = true;
      if (!issue.labels.includes(breachLabel)) {
        await deps.github.addLabels(issue.number, [breachLabel]);
        issue.labels.push(breachLabel);
      }
    };
    if (sla.escalationDue) {
      const who = deps.settings.escalation.map((name) => `@${name}`).join(' ') || `@${incident.declaredBy}`;
      await post(
        'escalation',
        `🚨 **Escalation:** this ${snapshot.severityKey?.toUpperCase()} incident was declared ${humanDuration(now.getTime() - incident.declaredAt.getTime())} ago and nobody has acknowledged it (target: ${formatDuration(severity['acknowledge-within'])}, due ${utc(sla.acknowledge.due)}).\n\n${who}: please take it, then comment \`/ack\`.`,
      );
      escalations += 1;
    }
    if (sla.reminderDue && severity['update-every']) {
      const who = incident.commander ?? incident.acknowledgedBy ?? incident.declaredBy;
      const last = incident.updates.at(-1);
      await post(
        'reminder',
        `⏰ **Status update overdue** @${who}: ${last ? `the last update was ${humanDuration(now.getTime() - last.at.getTime())} ago` : `no update since the declaration ${humanDuration(now.getTime() - incident.declaredAt.getTime())} ago`}; this severity asks for one every ${formatDuration(severity['update-every'])}. Post it with \`/update <text>\`.`,
      );
      reminders += 1;
    }
    const closed = await closeExpiredPlans(issue, snapshot.records, runbook, deps);
    await publishBoard(posted || closed > 0 ? await loadIncident(issue, context) : snapshot, context);
    plans += closed;
    // A backstop for the queue: commands whose runs were all cancelled, and claims left behind.
    const queued = await drainQueue(
      { number: issue.number, title: issue.title, url: issue.htmlUrl, labels: issue.labels },
      deps,
    );
    commands += queued.length;
  }
  const reviews = await remindReviews(deps);
  return {
    status: 'success',
    reason: 'swept',
    command: 'sweep',
    message: `${byNumber.size} open incidents checked: ${escalations} escalated, ${reminders} reminded, ${commands} queued commands handled, ${plans} expired plan${plans === 1 ? '' : 's'} closed; ${reviews} post-incident review${reviews === 1 ? '' : 's'} reminded`,
    details: { incidents: byNumber.size, escalations, reminders, commands, plans, reviews },
  };
}

/**
 * A plan nobody confirmed must not say "waits for confirmation" forever: once its code expired, the
 * sweep closes it as a late `/confirm` would (confirm.ts). A plan whose code the action already
 * spent (its 🚀: a confirmed run still under way, or one that died) is left to the queue.
 */
async function closeExpiredPlans(
  issue: IssueSummary,
  records: Parameters<typeof plansPastExpiry>[0],
  runbook: Runbook,
  deps: Dependencies,
): Promise<number> {
  let closed = 0;
  const registry = commandRegistry(runbook);
  for (const held of plansPastExpiry(records, deps.now())) {
    if ((held.comment.reactions.rocket ?? 0) > 0) {
      const reactions = await deps.github.listCommentReactions(held.comment.id);
      if (reactions.some((reaction) => reaction.user === deps.selfLogin && reaction.content === 'rocket'))
        continue;
    }
    await applyDecision(
      decided(
        { status: 'success', reason: 'swept', command: held.record.command, message: 'plan expired' },
        expiredPlanEffects(held, { registry, runbook, settings: deps.settings }),
      ),
      deps,
      {
        issue: { number: issue.number, title: issue.title, url: issue.htmlUrl, labels: issue.labels },
        runbook,
        actor: deps.selfLogin,
        comment: undefined,
      },
    );
    closed += 1;
  }
  return closed;
}

/** A review is reminded of this long before it is due, and again once it is overdue. */
const REVIEW_NOTICE_MS = 24 * 3_600_000;

/**
 * The post-incident reviews still open: each is reminded once within a day of its due time and
 * once when it is overdue, on the review issue, to its owner. Only review issues the action opened
 * (their sealed record names the incident and the due time) are read; comments are listed only for
 * a review that is close to due.
 */
async function remindReviews(deps: Dependencies): Promise<number> {
  const now = deps.now();
  let reminded = 0;
  // One review per incident, the first opened; a reopened incident's review waits for its end.
  const reviews = new Map<number, { issue: IssueSummary; record: RecordOf<'review'> }>();
  for (const issue of await deps.github.listOpenIssues('postmortem')) {
    const record = reviewRecordOf(issue, deps);
    const kept = record ? reviews.get(record.incident) : undefined;
    if (record && (!kept || issue.number < kept.issue.number))
      reviews.set(record.incident, { issue, record });
  }
  for (const { issue, record } of reviews.values()) {
    const due = new Date(record.due);
    const stage =
      now.getTime() >= due.getTime()
        ? 'overdue'
        : now.getTime() >= due.getTime() - REVIEW_NOTICE_MS
          ? 'due'
          : undefined;
    if (!stage) continue;
    const { records } = readRecords(await deps.github.listComments(issue.number), {
      selfLogin: deps.selfLogin,
      scope: { sealer: deps.sealer, issueNumber: issue.number },
    });
    if (
      records.some(
        ({ record: posted }) =>
          posted.kind === 'review-reminder' &&
          posted.stage === stage &&
          (posted.due ?? record.due) === record.due,
      )
    )
      continue;
    if ((await deps.github.getIssue(record.incident)).state === 'open') continue;
    await deps.writer.post(
      issue.number,
      renderReviewReminder({ stage, due, now, assignees: record.assignees, incident: record.incident }),
      { kind: 'review-reminder', by: deps.selfLogin, at: now.toISOString(), stage, due: record.due },
    );
    reminded += 1;
  }
  return reminded;
}
