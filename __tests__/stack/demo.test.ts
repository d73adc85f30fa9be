// The README's main job, `bash scripts/demo.sh`, as a test: the whole P0 incident on the real
// stack with the built-in runbook, read as the on-call person reads the thread it leaves.
import { jest } from '@jest/globals';
import { playIncident, type DemoResult } from '../../harness/demo/run-demo.ts';
import { onStack, useStack } from '../../harness/stack/for-tests.ts';
import { BROKEN_RELEASE, CURRENT_RELEASE } from '../../harness/stack/stack.ts';

jest.setTimeout(600_000);

const stack = useStack();
let demo: DemoResult;

beforeAll(async () => {
  demo = await playIncident(stack(), () => {});
}, 600_000);

/** A comment of the thread whose text contains `marker`, from that marker to the next comment. */
function section(marker: string): string {
  const start = demo.thread.indexOf(marker);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = demo.thread.indexOf('\n---\n', start);
  return demo.thread.slice(start, end === -1 ? undefined : end);
}

test('every step ends as the on-call person expects, with no OpenAPI violation', () => {
  expect(demo.violations).toBe(0);
  expect(
    demo.steps.map(({ step, status, reason }) => `${step.split(' (')[0]?.trim()}: ${status} ${reason}`),
  ).toEqual([
    // The initial assessment finds the 503: a finding, not a failure of the declaration.
    'label incident:p0: success declared',
    'scheduled sweep: success swept',
    '/ack: success ack',
    '/commander @dana: success commander',
    // The logs it reads hold the agent's ERROR lines: a finding.
    '/diagnose app: success findings',
    '/backup: success executed',
    // A restart cannot fix a broken release: its check fails and says why.
    '/restart: failure step-failed',
    '/update: success update',
    `/rollback ${CURRENT_RELEASE}: planned awaiting-confirmation`,
    expect.stringMatching(/^\/confirm [0-9a-f]{8}: success executed$/),
    '/health: success executed',
    '/status: success executed',
    '/mitigated: success mitigated',
    'scheduled sweep: success swept',
    '/update: success update',
    '/resolve: success resolved',
    'scheduled sweep: success swept',
    'scheduled sweep: success swept',
  ]);
});

test('lifecycle commands are answered by their 👍 and the board, /resolve by one result and the postmortem', () => {
  const comments = demo.thread
    .split(/\n---\n\n(?=\*\*@)/)
    .slice(1)
    .map((text) => {
      const [head = '', ...body] = text.split('\n');
      return {
        author: /^\*\*@([^*]+)\*\*/.exec(head)?.[1] ?? '',
        at: /commented at (\S+)/.exec(head)?.[1] ?? '',
        reactions: /· reactions: (.*)$/.exec(head)?.[1] ?? '',
        command: /^\/([a-z][a-z-]*)/m.exec(body.join('\n'))?.[1],
      };
    });
  const bot = 'github-actions[bot]';
  // The action's comments posted in the same minute as the command: its answer (the sweep's come later).
  const answers = (index: number) => {
    let count = 0;
    for (
      let next = index + 1;
      comments[next]?.author === bot && comments[next]?.at === comments[index]?.at;
      next += 1
    )
      count += 1;
    return count;
  };
  const answered = comments.flatMap((comment, index) =>
    comment.author !== bot && comment.command
      ? [`/${comment.command} ${comment.reactions}: ${answers(index)}`]
      : [],
  );
  expect(answered).toEqual(
    expect.arrayContaining([
      '/ack eyes +1: 0',
      '/commander eyes +1: 0',
      '/update eyes +1: 0',
      '/mitigated eyes +1: 0',
      '/resolve eyes +1: 2',
    ]),
  );
  // At most one comment of the action's in answer to a human command, on average.
  const replies = answered.reduce((sum, line) => sum + Number(line.split(': ').at(-1)), 0);
  expect(replies).toBeLessThanOrEqual(answered.length);
  expect(section('## ✅ P0')).toContain(
    '| Acknowledged | 03:07 UTC by @alice, after 7 min ⚠️ (target 03:05 UTC missed) |',
  );
});

test("a diagnosis reports what it found, headed by the agent's own reason, never as ✅ or ❌", () => {
  const assess = section('### 🔎 ');
  expect(assess.split('\n')[0]).toMatch(/^### 🔎 \d+ findings?: `\/assess`$/);
  expect(assess).toContain(
    `- ⚠️ **Quick health check**: \`exit 22: release ${BROKEN_RELEASE} is broken: database migration 0042 failed`,
  );
  expect(assess).toMatch(/- ⚠️ \*\*Check application logs\*\*: `\d+ error lines/);
  expect(demo.thread).toMatch(/### 🔎 \d+ findings?: `\/diagnose scenario=app`/);
  const diagnose = section('`/diagnose scenario=app`');
  expect(demo.thread).toContain('### 🔎 Nothing unhealthy found: `/status`');
  for (const result of [assess, diagnose]) expect(result).not.toMatch(/✅ Succeeded|❌ Failed/);
  // The postmortem keeps the findings for the review and asks nobody to investigate a diagnosis.
  const postmortem = section('# Postmortem:');
  expect(postmortem).toContain('What the diagnostic commands found:');
  expect(postmortem).not.toMatch(/Investigate why \/(assess|diagnose)/);
  expect(postmortem).toContain('Investigate why /restart ended failure');
});

test('the record credits the confirmer, and ticks only what a recorded fact proves', () => {
  const postmortem = section('# Postmortem:');
  expect(postmortem).toMatch(/\| 03:17 \| @dana \| Confirmed `\/rollback`, asked for by @alice \|/);
  expect(postmortem).toMatch(/\| @dana \| incident commander, resolved, confirmed `\/rollback`/);
  expect(postmortem).toContain('- [x] Verify application health');
  expect(postmortem).toContain('- [x] Run smoke tests');
  expect(postmortem).toContain('- [x] Check metrics return to normal');
  // Slack heard of the resolution before the postmortem was written; nobody posted to a status page.
  expect(postmortem).toContain('- [x] Notify stakeholders of resolution');
  expect(postmortem).toContain('- [ ] Post final status page update');
});

test('the review issue is owned, tracks its action items as sub-issues, and is reminded after 72 hours', () => {
  const review = demo.review ?? '';
  expect(review).toMatch(/\*\*Assignees:\*\* @dana/);
  expect(review).toMatch(/\*\*Sub-issues\*\* \(0 of 4 closed\):/);
  expect(review).toContain(`Fix the root cause of incident #${demo.issue}`);
  expect(review).toContain(`Investigate why /restart ended failure`);
  expect(review).toContain('📄 **[The postmortem draft](');
  expect(review).toContain('- [ ] Root cause analysis: identify underlying causes');
  expect(review).toContain('- [ ] Improved diagnostic procedures');
  expect(review).toContain('⏰ **Review due in 23 h** (2026-11-29 03:55 UTC), @dana');
  expect(review).toContain('⚠️ **Review overdue** by 1 h (it was due 2026-11-29 03:55 UTC), @dana');
});

test('stakeholders on Slack: one message per lifecycle change, none lost or doubled when Slack and GitHub fail once', () => {
  const title = 'Slack KB Agent answers 503 to every question';
  expect(
    demo.slack.messages.map(
      (message) =>
        `${message.at.slice(11, 16)} ${(message.body.blocks?.[0] as { text: { text: string } }).text.text}`,
    ),
  ).toEqual([
    `03:00 🔴 P0 · Declared: ${title}`,
    `03:08 🔴 P0 · Commander: @dana: ${title}`,
    `03:15 🔴 P0 · Status update: ${title}`,
    `03:21 🔴 P0 · Mitigated: ${title}`,
    `03:52 🔴 P0 · Status update: ${title}`,
    `03:55 ✅ P0 · Resolved: ${title}`,
  ]);
  // The 500 was answered once and retried; nothing else failed.
  expect(demo.slack.requests.map((request) => request.status)).toEqual([200, 200, 500, 200, 200, 200, 200]);
  expect(demo.slack.messages[2]?.body.text).toContain(`Rolling back to ${CURRENT_RELEASE}`);
  expect(demo.slack.log).toContain('6 messages delivered; 7 requests answered.');
  expect(section('## ✅ P0 — Critical · resolved')).toContain(
    '- [x] Notify stakeholders: Slack told of 6 changes',
  );
});

test('the declaration pages the on-call engineer at once, before the sweep escalates', () => {
  expect(
    section('📟 **Paging On-call Engineer** (24/7): @oncall-lead, a P0 incident was declared by @alice.'),
  ).toContain('Take it with `/ack` by 2026-11-26 03:05 UTC');
  expect(section('## ✅ P0 — Critical · resolved')).toContain(
    '| Paged | On-call Engineer 03:00 UTC (at declaration) |',
  );
});

test('the host ends on the release rolled back to, healthy', async () => {
  expect(demo.runningImage).toBe(`slack-kb-agent:${CURRENT_RELEASE}`);
  const health = JSON.parse(await onStack(stack(), 'curl -fsS "$SLACK_KB_AGENT_URL/health"')) as {
    status: string;
    release: string;
  };
  expect(health).toMatchObject({ status: 'healthy', release: CURRENT_RELEASE });
});

test("the failed restart shows the agent's own reason and the compose logs", () => {
  const restart = section('### ❌ Failed: `/restart service=slack-kb-agent`');
  expect(restart).toContain(`release ${BROKEN_RELEASE} is broken: database migration 0042 failed`);
  expect(restart).toContain('the compose file is valid');
  expect(restart).toContain('--- docker-compose logs --tail=50');
});

test('the rollback ran only after another responder confirmed it, and pulled the tag', () => {
  const rollback = section(`### ✅ Succeeded: \`/rollback tag=${CURRENT_RELEASE}\``);
  // The plan comment ends showing its outcome, with a link to the result.
  expect(demo.thread).toMatch(
    /✅ \*\*Confirmed by @dana\*\* at 2026-11-26 03:17 UTC and run: success \(\[result\]\(/,
  );
  expect(rollback).toContain('| @alice, confirmed by @dana in [this comment]');
  expect(rollback).toContain(`running image: slack-kb-agent:${CURRENT_RELEASE}`);
});

test("/status and /resolve read the runbook's PromQL from the real Prometheus, with real traffic", () => {
  for (const marker of ['### 🔎 Nothing unhealthy found: `/status`', '### ✅ Succeeded: `/resolve`']) {
    const comment = section(marker);
    expect(comment).toContain("PromQL over Prometheus's stored series, $PROMETHEUS_URL");
    expect(comment).toContain('- ✅ Application up: 1 (healthy at least 1)');
    expect(comment).toContain('- ✅ Error rate: 0 errors/s (healthy at most 0.1 errors/s)');
    // The users' queries after the rollback give a real p95, not "no samples".
    expect(comment).toMatch(/- ✅ p95 response time: [\d.e-]+ s \(healthy at most 2 s\)/);
    expect(comment).not.toContain('"resultType"');
  }
  expect(section('### ✅ Succeeded: `/resolve`')).toMatch(/✅ Run smoke tests \(exit 0/);
});

test('the incident is closed with a postmortem and a review issue', () => {
  expect(demo.thread).toMatch(/^\*\*State:\*\* closed/m);
  expect(demo.thread).toContain('# Postmortem: `Slack KB Agent answers 503 to every question`');
  expect(demo.reviewIssue).toBeDefined();
  expect(demo.review).toContain(`#${demo.issue}`);
});
