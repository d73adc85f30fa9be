// The post-incident review, in process: the review issue is owned (assigned to the commander), links
// the postmortem, tracks each action item as a sub-issue (GitHub's sub-issues API, validated by the
// emulator against GitHub's OpenAPI description), and the sweep reminds its owner once a day
// before it is due and once when it is overdue — and never on an issue it did not open.
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';
import { healthyHost } from '../cases/lifecycle.ts';
import { textOf } from '../../src/records/codec.ts';

const T0 = new Date('2026-11-26T03:00:00Z');
let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;
const at = (minutes: number) => (clock = new Date(T0.getTime() + minutes * 60_000));
const HOUR = 60;

beforeEach(async () => {
  clock = T0;
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', dana: 'write' },
    clock: () => clock,
  }));
  host.respond = healthyHost;
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

/** A P1 incident commanded by dana, with a failed restart, resolved at 03:30. */
async function resolvedIncident(): Promise<{ issue: number; review: number }> {
  const issue = scenario.openIssue('Slow answers', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
  at(2);
  await scenario.comment(issue, 'alice', '/ack');
  await scenario.comment(issue, 'alice', '/commander @dana');
  at(10);
  host.respond = (script) =>
    script.includes('restart') ? { outcome: 'failed', exitCode: 1, output: 'restart refused\n' } : {};
  await scenario.comment(issue, 'alice', '/restart');
  host.respond = healthyHost;
  at(30);
  const { run } = await scenario.comment(issue, 'dana', '/resolve');
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'resolved' });
  const review = emulator
    .listIssues()
    .find((candidate) => candidate.title.startsWith('Post-incident review:'))?.number;
  if (review === undefined) throw new Error('no review issue');
  return { issue, review };
}

const subIssueOf = (review: number) => emulator.subIssuesOf(review)[0]?.number ?? 0;
const reviewComments = (review: number) =>
  emulator.listComments(review).map((comment) => comment.body?.split('\n<!--')[0]?.trim() ?? '');

test('the review issue: owned by the commander, linked to the postmortem, action items as sub-issues', async () => {
  const { issue, review } = await resolvedIncident();
  const reviewIssue = emulator.getIssue(review);
  expect(reviewIssue?.assignees?.map((user) => user.login)).toEqual(['dana']);
  expect(reviewIssue?.labels.map((label) => (typeof label === 'string' ? label : label.name))).toEqual([
    'postmortem',
  ]);
  const postmortem = emulator
    .listComments(issue)
    .find((comment) => comment.body?.startsWith('# Postmortem:'));
  expect(reviewIssue?.body).toContain(`📄 **[The postmortem draft](${postmortem?.html_url})** on #${issue}`);
  expect(reviewIssue?.body).toContain(
    '**Owner:** @dana (assigned: the incident commander) · **Due: 2026-11-29 03:30 UTC**',
  );
  const subs = emulator.subIssuesOf(review);
  expect(subs.map((sub) => sub.title)).toEqual([
    `Fix the root cause of incident #${issue}`,
    `Detect incidents like #${issue} sooner`,
    `Update the runbook with what incident #${issue} taught`,
    `Investigate why /restart ended failure at 2026-11-26 03:10 UTC (incident #${issue})`,
  ]);
  // The postmortem's action items point at the sub-issues that track them.
  for (const sub of subs) expect(postmortem?.body).toContain(`| #${sub.number} |`);
  expect(postmortem?.body).toContain(
    `📋 Post-incident review: #${review} (@dana), due 2026-11-29 03:30 UTC.`,
  );
  // Closing an action item shows on the review issue.
  emulator.repo().updateIssue(subs[0]?.number ?? 0, { state: 'closed' });
  expect(emulator.getIssue(review)?.sub_issues_summary).toEqual({
    total: 4,
    completed: 1,
    percent_completed: 25,
  });
});

test('the sweep reminds the owner a day before the review is due and once it is overdue, each once', async () => {
  const { review } = await resolvedIncident();
  at(30 + 47 * HOUR);
  await scenario.sweep();
  expect(reviewComments(review)).toEqual([]);

  at(30 + 49 * HOUR);
  const due = await scenario.sweep();
  expect(due.outputs.status).toBe('success');
  await scenario.sweep();
  expect(reviewComments(review)).toEqual([
    '⏰ **Review due in 23 h** (2026-11-29 03:30 UTC), @dana: the post-incident review of #1 is due within a day. Close this issue when it is done.',
  ]);

  at(30 + 73 * HOUR);
  await scenario.sweep();
  await scenario.sweep();
  expect(reviewComments(review)).toHaveLength(2);
  expect(reviewComments(review)[1]).toBe(
    '⚠️ **Review overdue** by 1 h (it was due 2026-11-29 03:30 UTC), @dana: the runbook asks for the post-incident review of #1 within 72 hours of the resolution. Hold it and close this issue, or say here when it will be.',
  );

  // A closed review is done: no more reminders.
  emulator.repo().updateIssue(review, { state: 'closed' });
  at(30 + 100 * HOUR);
  await scenario.sweep();
  expect(reviewComments(review)).toHaveLength(2);
});

test('a review whose body GitHub would not seal is still the review: named in the postmortem and reminded', async () => {
  // Every write of the review's body fails (as when the run stops right after creating it).
  emulator.inject({ method: 'PATCH', path: /\/issues\/2$/, kind: 'status', status: 500, times: 100 });
  const { issue, review } = await resolvedIncident();
  expect(review).toBe(2);
  const postmortem = emulator
    .listComments(issue)
    .find((comment) => comment.body?.startsWith('# Postmortem:'));
  expect(postmortem?.body).toContain(
    `📋 Post-incident review: #${review} (@dana), due 2026-11-29 03:30 UTC.`,
  );
  // Its body still carries the record it was created with: pending, sealed to the incident.
  expect(emulator.getIssue(review)?.body).toContain('"pending":true');
  emulator.clearFaults();

  // The sweep reads the pending record: the owner is reminded on it.
  at(30 + 49 * HOUR);
  await scenario.sweep();
  expect(reviewComments(review)).toEqual([
    '⏰ **Review due in 23 h** (2026-11-29 03:30 UTC), @dana: the post-incident review of #1 is due within a day. Close this issue when it is done.',
  ]);
});

test('a run that stopped after opening the review: the next one finds that review, seals it and opens no other', async () => {
  const issue = scenario.openIssue('Slow answers', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
  at(2);
  await scenario.comment(issue, 'alice', '/commander @dana');
  at(30);
  // Closed by hand: the review is opened, then GitHub refuses every write that would follow
  // (the seal, the postmortem), and the run ends there.
  emulator.inject({ method: 'PATCH', path: /\/issues\/2$/, kind: 'status', status: 500, times: 100 });
  emulator.inject({
    method: 'POST',
    path: /\/issues\/1\/comments$/,
    kind: 'status',
    status: 500,
    times: 100,
  });
  const stopped = await scenario.close(issue, 'dana');
  expect(stopped.outputs.status).toBe('error');
  const reviews = () =>
    emulator.listIssues().filter((candidate) => candidate.title.startsWith('Post-incident review:'));
  expect(reviews().map((review) => review.number)).toEqual([2]);
  expect(emulator.getIssue(2)?.body).toContain('"pending":true');

  emulator.clearFaults();
  emulator.repo().updateIssue(issue, { state: 'open' });
  at(35);
  const again = await scenario.close(issue, 'dana');
  expect(again.outputs).toMatchObject({ status: 'success', reason: 'closed' });
  expect(reviews().map((review) => review.number)).toEqual([2]);
  expect(emulator.getIssue(2)?.body).not.toContain('"pending":true');
  expect(emulator.getIssue(2)?.body).toContain('📄 **[The postmortem draft](');
  const postmortem = emulator
    .listComments(issue)
    .find((comment) => comment.body?.startsWith('# Postmortem:'));
  expect(postmortem?.body).toContain('📋 Post-incident review: #2 (@dana)');
});

test('a pending review record copied into another issue the action opened is not taken for the review', async () => {
  emulator.inject({ method: 'PATCH', path: /\/issues\/2$/, kind: 'status', status: 500, times: 100 });
  const { review } = await resolvedIncident();
  emulator.clearFaults();
  const body = emulator.getIssue(review)?.body ?? '';
  // Sealed to incident #1: copied into the action's own issue, with the incident number changed.
  const moved = subIssueOf(review);
  emulator
    .repo()
    .updateIssue(moved, { body: body.replace('"incident":1,', '"incident":7,'), labels: ['postmortem'] });
  at(30 + 80 * HOUR);
  await scenario.sweep();
  expect(reviewComments(moved)).toEqual([]);
  expect(reviewComments(review)).toHaveLength(1);
});

test('an issue the action did not open gets no reminder: a copied body or an edited one', async () => {
  const { review } = await resolvedIncident();
  const body = emulator.getIssue(review)?.body ?? '';
  // A person copies the sealed body into their own issue labelled postmortem.
  const copy = emulator.createIssue({ title: 'Copy', body, user: 'alice', labels: ['postmortem'] }).number;
  // Or into an issue the action itself opened (an action item): the seal names the review's own number.
  const moved = subIssueOf(review);
  emulator.repo().updateIssue(moved, { body, labels: ['postmortem'] });
  // A person edits the due date in the action's own review issue (the seal no longer holds).
  const forged = emulator.createIssue({
    title: 'Forged',
    body: body.replace('"due":"2026-11-29', '"due":"2026-11-27'),
    user: 'github-actions[bot]',
    labels: ['postmortem'],
  }).number;
  at(30 + 80 * HOUR);
  await scenario.sweep();
  expect(reviewComments(copy)).toEqual([]);
  expect(reviewComments(forged)).toEqual([]);
  expect(reviewComments(moved)).toEqual([]);
  expect(reviewComments(review)).toHaveLength(1);
});

test('the whole review issue and the whole postmortem, as the review meeting reads them', async () => {
  const { issue, review } = await resolvedIncident();
  const postmortem = emulator
    .listComments(issue)
    .find((comment) => comment.body?.startsWith('# Postmortem:'));
  expect(textOf(emulator.getIssue(review)?.body ?? '')).toBe(REVIEW_BODY);
  expect(textOf(postmortem?.body ?? '')).toBe(POSTMORTEM_BODY);
});

const REVIEW_BODY = `Post-incident review of #1 (P1 — High).

**Owner:** @dana (assigned: the incident commander) · **Due: 2026-11-29 03:30 UTC** (72 hours after the resolution at 03:30 UTC) · the sweep reminds here a day before and when it is overdue.

📄 **[The postmortem draft](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000008)** on #1: the timeline, the figures and what the commands found.

### Review (within 72 hours)

- [ ] Timeline review: document the incident timeline
- [ ] Root cause analysis: identify underlying causes
- [ ] Action items: create follow-up tasks
- [ ] Process improvements: update runbooks and monitoring

### Action items

Each is a sub-issue of this one, so GitHub tracks their closing here: #3, #4, #5, #6.

### Documentation: update the runbook with

- [ ] New incident scenarios encountered
- [ ] Lessons learned`;

const POSTMORTEM_BODY = `# Postmortem: \`Slow answers\` (#1)

**Status:** draft for the post-incident review, due **2026-11-29 03:30 UTC** (72 hours after resolution) in #2.
**Severity:** P1 — High (Significant feature impairment).

## Summary

_One paragraph: what happened, who was affected, how it was fixed._

## Impact

- Impact window: 2026-11-26 03:00 UTC → 2026-11-26 03:30 UTC (30 min) (start of impact taken as the declaration; \`/impact-start\` back-dates it)
- Users and requests affected: _to be filled in from the metrics_

## Root causes

_What made this possible? Keep asking why until the answer is a process or a design._

## Trigger

_What set it off (a deploy, a config change, a load spike …)?_

## Resolution

Resolution verification:

- ✅ Verify application health (exit 0)
- ✅ Run smoke test (exit 0)
- **Check metrics return to normal** (one scrape of the metrics: the runbook names no Prometheus, so counters are totals since the process started, not rates):
- ✅ Error rate: 0.02 errors/s (healthy at most 0.1 errors/s)
- ✅ p95 response time: 0.778 s (healthy at most 2 s)
- ✅ Memory usage: 0.195 (healthy at most 0.9)

## Detection

Declared by @alice at 2026-11-26 03:00 UTC. _How was it noticed: an alert, a user, a person on call?_

## Action items

Each is a sub-issue of the review (#2): closing it is tracked there.

| Action item | Type | Tracking |
|---|---|---|
| \`Fix the root cause of incident #1\` | prevent | #3 |
| \`Detect incidents like #1 sooner\` | detect | #4 |
| \`Update the runbook with what incident #1 taught\` | process | #5 |
| \`Investigate why /restart ended failure at 2026-11-26 03:10 UTC (incident #1)\` ([result](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000005)) | investigate | #6 |

## Lessons learned

### What went well

### What went wrong

### Where we got lucky

## Timeline

| UTC, 2026-11-26 | Actor | Event | Link |
|---|---|---|---|
| 03:00 | @alice | Declared P1 | — |
| 03:02 | @alice | Acknowledged | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000002) |
| 03:02 | @alice | Incident commander: @dana | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000003) |
| 03:10 | @alice | Ran \`/restart\`: failure | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000005) |
| 03:30 | @dana | Ran \`/resolve\`: success | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000007) |
| 03:30 | @dana | Resolved: verification passed | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000006) |

## Supporting information

### Response times

| Measure | Time since declaration | Target | Result |
|---|---|---|---|
| Time to acknowledge | 2 min | 5 minutes | ✅ met |
| Time to mitigate | 30 min | 1 hour (response time) | ✅ met |
| Time to resolve | 30 min | — | — |
| Status updates | 0 posted | every 30 minutes | 0 missed |

### Responders

| Responder | Roles |
|---|---|
| @alice | declared, acknowledged, named @dana commander, ran \`/restart\` |
| @dana | incident commander, resolved |

### Commands run

| UTC, 2026-11-26 | Command | By | Outcome |
|---|---|---|---|
| 03:10 | [\`/restart\`](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000005) | @alice | failure |
| 03:30 | [\`/resolve\`](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000007) | @dana | success |

### Phases

\`\`\`mermaid
gantt
  dateFormat YYYY-MM-DD HH:mm:ss
  axisFormat %H:%M
  section Incident
  Investigating :active, investigating, 2026-11-26 03:00:00, 2026-11-26 03:30:00
  section Milestones
  Acknowledged :milestone, acknowledged, 2026-11-26 03:02:00, 0m
  Resolved :milestone, resolved, 2026-11-26 03:30:00, 0m
\`\`\`

## Post-incident checklists (from the runbook)

Ticked only where a recorded fact proves it.

### Resolution verification

- [x] Verify application health
- [x] Run smoke tests
- [x] Check metrics return to normal

### Communication

- [x] Update incident ticket with resolution
- [ ] Notify stakeholders of resolution
- [x] Schedule post-incident review

### Post-incident review (within 72 hours: by 2026-11-29 03:30 UTC)

In #2, assigned to @dana: its review and documentation checklists are there, for the review to tick.

---
📋 Post-incident review: #2 (@dana), due 2026-11-29 03:30 UTC.`;
