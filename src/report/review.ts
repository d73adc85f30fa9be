import type { ChecklistItem, PostIncident, Runbook } from '../config/runbook.schema.ts';
import type { Incident } from '../incident/state.ts';
import { echo, hhmm, utc } from './markdown.ts';

/**
 * The post-incident review: its checklists (from the runbook in use, ticked only by recorded
 * facts), its action items (each tracked as a sub-issue of the review issue), the review issue's
 * body and its reminders. Pure.
 */

/** The facts that can tick a checklist item (see `ticked-by` in the runbook). */
export interface Proofs {
  incident: Incident;
  /** The resolution reached the stakeholders' channel. */
  stakeholdersTold: boolean;
  /** The review issue exists. */
  review: { number: number } | undefined;
}

/** The checklists the runbook gives, or, for a runbook without them, the ones its sections imply. */
export function checklistsOf(runbook: Runbook): PostIncident & { fromRunbook: boolean } {
  const given = runbook['post-incident'];
  if (given) return { ...given, fromRunbook: true };
  const steps = runbook.verification?.steps ?? [];
  return {
    fromRunbook: false,
    resolution: [
      ...steps.map((step) => ({ item: step.name, 'ticked-by': `verification: ${step.name}` })),
      ...(runbook.verification?.metrics
        ? [{ item: runbook.verification.metrics.name, 'ticked-by': 'metrics' as const }]
        : []),
    ],
    communication: [
      { item: 'Update incident ticket with resolution', 'ticked-by': 'ticket' },
      { item: 'Notify stakeholders of resolution', 'ticked-by': 'stakeholders' },
      ...(runbook['status-page']
        ? [{ item: 'Post final status page update', 'ticked-by': 'status-page' as const }]
        : []),
      { item: 'Schedule post-incident review', 'ticked-by': 'review' },
    ],
    review: [],
    documentation: [],
  };
}

/** True only when a recorded fact proves the item done; an item without a proof is for people. */
export function proven(item: ChecklistItem, proofs: Proofs): boolean {
  if (typeof item === 'string') return false;
  const { incident } = proofs;
  const proof = item['ticked-by'];
  const verified = incident.forcedResolution || incident.closedByHand ? undefined : incident.verified;
  if (proof.startsWith('verification: ')) {
    const name = proof.slice('verification: '.length);
    return verified?.checks.some((check) => check.name === name && check.ok) ?? false;
  }
  switch (proof) {
    case 'metrics':
      return verified?.metrics === 'within';
    case 'ticket':
      // A hand-closed issue says nothing of how it was resolved.
      return incident.phase === 'resolved' && !incident.closedByHand;
    case 'stakeholders':
      return proofs.stakeholdersTold;
    case 'status-page': {
      const last = incident.publicUpdates.at(-1);
      return last?.state === 'resolved' && last.published;
    }
    case 'review':
      return proofs.review !== undefined;
    default:
      return false;
  }
}

export function itemText(item: ChecklistItem): string {
  return typeof item === 'string' ? item : item.item;
}

/** A checklist as GitHub task list items: ticked where a fact proves it. */
export function renderChecklist(items: readonly ChecklistItem[], proofs?: Proofs): string[] {
  return items.map(
    (item) => `- [${proofs && proven(item, proofs) ? 'x' : ' '}] ${echoPlain(itemText(item))}`,
  );
}

/** Runbook text shown as written but never as live Markdown (no mention, link or HTML). */
function echoPlain(text: string): string {
  return /^[\p{L}\p{N} .,:;'’()/+-]*$/u.test(text) ? text : echo(text, 300);
}

export interface ActionItem {
  /** Stable within the incident: the review issue's sub-issues are matched by it. */
  title: string;
  type: 'prevent' | 'detect' | 'process' | 'investigate';
  detail: string;
  /** The result of the command the item is about. */
  link?: string | undefined;
}

/** The follow-up tasks the review starts from: the standard three and every command that failed. */
export function actionItems(incident: Incident, issueNumber: number): ActionItem[] {
  const failed = incident.commands
    .filter((command) => command.status !== 'success' && command.status !== 'findings')
    .slice(-20);
  return [
    {
      title: `Fix the root cause of incident #${issueNumber}`,
      type: 'prevent',
      detail: 'What made this possible? Keep asking why until the answer is a process or a design.',
    },
    {
      title: `Detect incidents like #${issueNumber} sooner`,
      type: 'detect',
      detail: 'An alert, a check or a dashboard that would have shown it before the users did.',
    },
    {
      title: `Update the runbook with what incident #${issueNumber} taught`,
      type: 'process',
      detail: 'New scenarios, better diagnostic procedures, the resolution steps that worked.',
    },
    ...failed.map((command) => ({
      title: `Investigate why /${command.command} ended ${command.status} at ${utc(command.at)} (incident #${issueNumber})`,
      type: 'investigate' as const,
      detail: `The command ran during the incident and did not succeed: [its result](${command.url}).`,
      link: command.url,
    })),
  ];
}

export interface ReviewIssueView {
  incident: Incident;
  issue: { number: number; title: string; url: string };
  severityLabel: string;
  due: Date;
  owner: string | undefined;
  postmortemUrl: string | undefined;
  checklists: PostIncident & { fromRunbook: boolean };
  subIssues: { number: number; title: string }[];
}

/** The review issue's body (its record is added by the caller). */
export function renderReviewIssue(view: ReviewIssueView): string {
  const resolvedAt = view.incident.resolvedAt ?? view.due;
  const { checklists } = view;
  return [
    `Post-incident review of #${view.issue.number} (${view.severityLabel}).`,
    '',
    `**Owner:** ${view.owner ? `@${view.owner} (assigned${view.incident.commander === view.owner ? ': the incident commander' : ''})` : '_nobody yet: assign this issue_'} · **Due: ${utc(view.due)}** (72 hours after the resolution at ${hhmm(resolvedAt)} UTC) · the sweep reminds here a day before and when it is overdue.`,
    '',
    view.postmortemUrl
      ? `📄 **[The postmortem draft](${view.postmortemUrl})** on #${view.issue.number}: the timeline, the figures and what the commands found.`
      : `📄 The postmortem draft follows on #${view.issue.number}.`,
    '',
    '### Review (within 72 hours)',
    '',
    ...(checklists.review.length > 0
      ? renderChecklist(checklists.review)
      : ['_The runbook has no `post-incident.review` checklist._']),
    '',
    '### Action items',
    '',
    view.subIssues.length > 0
      ? `Each is a sub-issue of this one, so GitHub tracks their closing here: ${view.subIssues.map((sub) => `#${sub.number}`).join(', ')}.`
      : '_None yet._',
    '',
    '### Documentation: update the runbook with',
    '',
    ...(checklists.documentation.length > 0
      ? renderChecklist(checklists.documentation)
      : ['_The runbook has no `post-incident.documentation` checklist._']),
  ].join('\n');
}

/** How the review's reminder reads at `stage`. */
export function renderReviewReminder(view: {
  stage: 'due' | 'overdue';
  due: Date;
  now: Date;
  assignees: string[];
  incident: number;
}): string {
  const who = view.assignees.map((login) => `@${login}`).join(' ') || 'Whoever owns this review';
  const hours = Math.round(Math.abs(view.due.getTime() - view.now.getTime()) / 3_600_000);
  return view.stage === 'due'
    ? `⏰ **Review due in ${hours} h** (${utc(view.due)}), ${who}: the post-incident review of #${view.incident} is due within a day. Close this issue when it is done.`
    : `⚠️ **Review overdue** by ${hours} h (it was due ${utc(view.due)}), ${who}: the runbook asks for the post-incident review of #${view.incident} within 72 hours of the resolution. Hold it and close this issue, or say here when it will be.`;
}
