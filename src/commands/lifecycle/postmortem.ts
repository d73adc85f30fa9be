import { defineCommand } from '../define.ts';
import { renderPostmortem, REVIEW_WITHIN_MS } from '../../report/postmortem.ts';
import { actionItems, checklistsOf } from '../../report/review.ts';
import { done, LIFECYCLE_PERMISSION, notDone } from './common.ts';

export const postmortem = defineCommand({
  name: 'postmortem',
  reason: '/postmortem posted a draft',
  description: 'Post a draft postmortem of the incident so far',
  permission: LIFECYCLE_PERMISSION,
  handle(input) {
    const { incident, severity, severityKey, sla } = input.snapshot;
    if (!severity || !severityKey || !sla)
      return notDone('postmortem', '/postmortem', 'This issue has no declared incident.');
    const body = renderPostmortem({
      incident,
      severityKey,
      severity,
      sla,
      issue: input.issue,
      reviewDue: new Date((incident.resolvedAt ?? input.now).getTime() + REVIEW_WITHIN_MS),
      followUp: undefined,
      verification: [],
      checklists: checklistsOf(input.runbook),
      proofs: { incident, stakeholdersTold: false, review: undefined },
      actionItems: actionItems(incident, input.issue.number),
      owner: incident.commander,
    });
    return done('postmortem', 'draft postmortem posted', [
      {
        kind: 'reply',
        text: `> Draft: the postmortem so far. \`/resolve\` posts the final one.\n\n${body}`,
        record: {
          kind: 'answered',
          command: 'postmortem',
          by: input.actor,
          at: input.now.toISOString(),
          source: input.comment.id,
        },
      },
    ]);
  },
});
