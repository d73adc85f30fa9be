import type { Runbook } from '../config/runbook.schema.ts';
import type { Incident } from '../incident/state.ts';
import { resolveTarget } from '../runbook/plan.ts';
import { renderPostmortem, REVIEW_WITHIN_MS } from '../report/postmortem.ts';
import { actionItems, checklistsOf, renderReviewIssue, type ActionItem } from '../report/review.ts';
import { composeBody, readBody, type RecordContent } from '../records/codec.ts';
import type { RecordOf } from '../records/record.schema.ts';
import { echo, utc } from '../report/markdown.ts';
import type { Dependencies } from './dependencies.ts';
import { createBoardLock } from './board-lock.ts';
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
    lock: createBoardLock({
      github: deps.github,
      sleep: deps.sleep,
      elapsedMs: deps.elapsedMs,
      stopRequested: () => deps.signals.stopRequested(),
      log: deps.log,
    }),
  };
}

/**
 * After resolution: the resolution told to stakeholders, the review issue (labelled `postmortem`,
 * assigned to the commander, due 72 hours after resolution, its action items as sub-issues), the
 * postmortem comment (checklists ticked only by recorded facts), the review issue linked to it,
 * the closed issue and the final board. Does nothing twice: a posted postmortem is found again on
 * the issue, and a review issue already opened for this incident (a run that stopped half-way) is
 * found again by its record, with its sub-issues.
 */
export async function finalize(
  issue: { number: number; title: string; url: string },
  deps: Dependencies,
  context: IncidentContext,
  verification: string[],
): Promise<{ followUp: number | undefined }> {
  const first = await loadIncident(issue, context);
  if (first.incident.postmortem || !first.severity || !first.severityKey || !first.sla) {
    await publishBoard(first, context);
    return { followUp: first.incident.postmortem?.followUp };
  }
  // Stakeholders hear of the resolution first, so that the postmortem can say they did.
  await publishBoard(first, context);
  const snapshot = await loadIncident(issue, context);
  const { incident } = snapshot;
  const severityKey = snapshot.severityKey ?? first.severityKey;
  const severity = snapshot.severity ?? first.severity;
  const sla = snapshot.sla ?? first.sla;
  const resolvedAt = incident.resolvedAt ?? deps.now();
  const reviewDue = new Date(resolvedAt.getTime() + REVIEW_WITHIN_MS);
  const owner = incident.commander ?? incident.resolvedBy ?? incident.declaredBy;
  const checklists = checklistsOf(context.runbook);
  const items = actionItems(incident, issue.number);
  const review = await openReview(issue, deps, {
    incident,
    severityLabel: `${severityKey.toUpperCase()} — ${severity.name}`,
    due: reviewDue,
    owner,
    checklists,
    items,
  });
  // The alert group pages again from now on: the silence /ack created is expired.
  const silence = await expireSilence(incident, context.runbook, deps);
  const resolvedChange = incident.changes.filter((change) => change.event === 'resolved').at(-1);
  const body = renderPostmortem({
    incident,
    severityKey,
    severity,
    sla,
    issue,
    reviewDue,
    followUp: review ? { number: review.number, url: review.url } : undefined,
    verification,
    checklists,
    proofs: {
      incident,
      stakeholdersTold: Boolean(resolvedChange && snapshot.notified?.sent.includes(resolvedChange.key)),
      review,
    },
    actionItems: items.map((item) => ({ ...item, issue: review?.subIssues.get(item.title) })),
    owner: review?.assigned ? owner : undefined,
  });
  const posted = await deps.writer.post(
    issue.number,
    `${body}${silence ? `\n\n${silenceLine(silence)}` : ''}\n\n---\n📋 Post-incident review: ${review ? `#${review.number}${review.assigned ? ` (@${owner})` : ''}, due ${utc(reviewDue)}` : 'not opened (see the workflow log): open one by hand'}.`,
    {
      kind: 'postmortem',
      by: deps.selfLogin,
      at: deps.now().toISOString(),
      ...(review ? { followUp: review.number } : {}),
      ...(silence ? { silence } : {}),
    },
  );
  // The review issue links the postmortem it reviews (known only now that it is posted).
  if (review) await review.link(posted.htmlUrl);
  const current = await deps.github.getIssue(issue.number);
  if (current.state === 'open') await deps.github.closeIssue(issue.number);
  await publishBoard(await loadIncident(issue, context), context);
  return { followUp: review?.number };
}

interface OpenedReview {
  number: number;
  url: string;
  /** The owner was assigned. */
  assigned: boolean;
  /** Action item title → the sub-issue that tracks it. */
  subIssues: Map<string, number>;
  /** Rewrites the review's body with the postmortem's link. */
  link: (postmortemUrl: string) => Promise<void>;
}

/**
 * Opens the review issue (or finds the one a stopped run opened), assigns its owner and makes each
 * action item a sub-issue. A failure here never stops the postmortem: it says what is missing.
 */
async function openReview(
  issue: { number: number; title: string; url: string },
  deps: Dependencies,
  view: {
    incident: Incident;
    severityLabel: string;
    due: Date;
    owner: string | undefined;
    checklists: ReturnType<typeof checklistsOf>;
    items: ActionItem[];
  },
): Promise<OpenedReview | undefined> {
  const record = (postmortem?: string): RecordContent => ({
    kind: 'review',
    by: deps.selfLogin,
    at: deps.now().toISOString(),
    incident: issue.number,
    due: view.due.toISOString(),
    assignees: view.owner ? [view.owner] : [],
    ...(postmortem ? { postmortem } : {}),
  });
  const text = (subIssues: { number: number; title: string }[], postmortemUrl?: string) =>
    renderReviewIssue({
      incident: view.incident,
      issue,
      severityLabel: view.severityLabel,
      due: view.due,
      owner: view.owner,
      postmortemUrl,
      checklists: view.checklists,
      subIssues,
    });
  // The record is sealed to the review issue's own number, so a copy in another issue is not read.
  const body = (
    reviewNumber: number,
    subIssues: { number: number; title: string }[],
    postmortemUrl?: string,
  ) =>
    composeBody(text(subIssues, postmortemUrl), record(postmortemUrl), {
      sealer: deps.sealer,
      issueNumber: reviewNumber,
    });
  try {
    const existing = (await deps.github.listOpenIssues('postmortem'))
      .filter((candidate) => reviewRecordOf(candidate, deps)?.incident === issue.number)
      .sort((a, b) => a.number - b.number)[0];
    let review = existing;
    if (!review) {
      // GitHub gives the number only once the issue exists: until the body is sealed to it, a
      // record sealed to the incident's number says which incident this review is of.
      review = await deps.github.createIssue({
        title: `Post-incident review: ${issue.title} (#${issue.number})`,
        labels: ['postmortem'],
        body: composeBody(
          text([]),
          { ...record(), pending: true },
          { sealer: deps.sealer, issueNumber: issue.number },
        ),
      });
    }
    const opened = review;
    if (!existing || reviewRecordOf(existing, deps)?.pending) {
      // Sealed to its own number; should this fail, the link below tries again.
      await deps.github.updateIssueBody(opened.number, body(opened.number, [])).catch((error: unknown) => {
        deps.warn(`Could not seal the review #${opened.number} yet: ${String(error)}`);
      });
    }
    let assigned = false;
    if (view.owner) {
      assigned = await deps.github
        .addAssignees(opened.number, [view.owner])
        .then(() => true)
        .catch((error: unknown) => {
          deps.warn(`Could not assign the review #${opened.number} to @${view.owner}: ${String(error)}`);
          return false;
        });
    }
    const subIssues = new Map<string, number>();
    const children = existing ? await deps.github.listSubIssues(opened.number) : [];
    for (const child of children) subIssues.set(child.title, child.number);
    for (const item of view.items) {
      if (subIssues.has(item.title)) continue;
      try {
        const child = await deps.github.createIssue({
          title: item.title,
          labels: [],
          body: `An action item of the post-incident review #${opened.number} of incident #${issue.number} (${item.type}).\n\n${item.detail}`,
        });
        if (!child.id) throw new Error(`GitHub gave no id for #${child.number}`);
        await deps.github.addSubIssue(opened.number, child.id);
        // Counted only once it is a sub-issue: the review never claims to track what it does not.
        subIssues.set(item.title, child.number);
      } catch (error) {
        deps.warn(`Could not track the action item "${item.title}" on #${opened.number}: ${String(error)}`);
      }
    }
    const tracked = [...subIssues].map(([title, number]) => ({ number, title }));
    return {
      number: opened.number,
      url: opened.htmlUrl,
      assigned,
      subIssues,
      link: async (postmortemUrl) => {
        await deps.github
          .updateIssueBody(opened.number, body(opened.number, tracked, postmortemUrl))
          .catch((error: unknown) => {
            deps.warn(`Could not link the postmortem from the review #${opened.number}: ${String(error)}`);
          });
      },
    };
  } catch (error) {
    deps.warn(`Could not open the post-incident review issue: ${String(error)}`);
    return undefined;
  }
}

/**
 * The review record that ends a review issue's body, when the action wrote it for that incident:
 * sealed to the review's own number, or (a run stopped before it sealed it so) a pending one
 * sealed to the incident's number, as the issue was created.
 */
export function reviewRecordOf(
  issue: { number: number; author: string; body: string },
  deps: Pick<Dependencies, 'selfLogin' | 'sealer'>,
): RecordOf<'review'> | undefined {
  if (issue.author !== deps.selfLogin) return undefined;
  const own = readBody(issue.body, { sealer: deps.sealer, issueNumber: issue.number });
  if (own.status === 'valid')
    return own.record.kind === 'review' && !own.record.pending
      ? (own.record as RecordOf<'review'>)
      : undefined;
  // The seal tells whether the incident number the record names is the one it was sealed to.
  const named = /"incident":(\d{1,10})[,}]/.exec(issue.body)?.[1];
  if (!named) return undefined;
  const pending = readBody(issue.body, { sealer: deps.sealer, issueNumber: Number(named) });
  return pending.status === 'valid' &&
    pending.record.kind === 'review' &&
    pending.record.pending &&
    pending.record.incident === Number(named)
    ? (pending.record as RecordOf<'review'>)
    : undefined;
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
