// The whole plan comment of a destructive command (while it waits, once it ran) and the whole
// `/timeline` reply, compared to the Markdown a responder reads: any change to them shows here.
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

const textOfComment = (id: number) => textOf(emulator.repo().getComment(id)?.body ?? '');
const botReactions = (id: number) =>
  emulator
    .reactionsFor(id)
    .filter((reaction) => reaction.user?.login === 'github-actions[bot]')
    .map((reaction) => reaction.content);

test('the plan comment while it waits, once it ran, and the /timeline reply', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  at(2);
  await scenario.comment(issue, 'alice', '/ack');
  at(4);
  await scenario.comment(issue, 'alice', '/note Errors began with the v1.2.0 deploy');
  at(6);
  const asked = await scenario.comment(issue, 'alice', '/rollback v1.1.0');
  // Its plan is posted: the request is finished as far as the queue goes.
  expect(botReactions(asked.commentId)).toEqual(['eyes', '+1']);
  const plan = emulator.listComments(issue).at(-1);
  if (!plan) throw new Error('no plan');
  const code = /\/confirm ([0-9a-f]{8})/.exec(plan.body ?? '')?.[1] ?? '';
  expect(textOfComment(plan.id)).toBe(waiting(code));
  at(7);
  await scenario.comment(issue, 'dana', `/confirm ${code}`);
  // The same comment, edited: its outcome, who confirmed it, and a link to the result.
  expect(textOfComment(plan.id)).toBe(RAN);
  // It ran and succeeded: the request keeps its 👍.
  expect(botReactions(asked.commentId)).toEqual(['eyes', '+1']);
  at(9);
  await scenario.comment(issue, 'dana', '/timeline');
  // The confirmation links to dana's /confirm comment, the run to its result.
  expect(textOfComment(emulator.listComments(issue).at(-1)?.id ?? 0)).toBe(TIMELINE);
});

test('a held command does not hold the queue; a late /confirm ends its plan as expired, and a failed plan turns its 👍 into 👎', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  at(1);
  const asked = await scenario.comment(issue, 'alice', '/rollback v1.1.0');
  const plan = emulator.listComments(issue).at(-1);
  const code = /\/confirm ([0-9a-f]{8})/.exec(plan?.body ?? '')?.[1] ?? '';
  // Long after (past the claim timeout): the next command runs; the held one is not reported lost.
  at(45);
  const status = await scenario.comment(issue, 'dana', '/status');
  expect(status.run.outputs).toMatchObject({ status: 'success' });
  expect(scenario.actionComments(issue).some((body) => body.includes('Interrupted'))).toBe(false);
  expect(botReactions(asked.commentId)).toEqual(['eyes', '+1']);

  const late = await scenario.comment(issue, 'dana', `/confirm ${code}`);
  expect(late.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
  expect(scenario.actionComments(issue).at(-1)).toContain('expired at 2026-11-26 03:16 UTC');
  const ended = textOfComment(plan?.id ?? 0);
  expect(ended.split('\n')[0]).toBe('### ⌛ `/rollback` was not confirmed in time');
  expect(ended).toContain('⌛ The code expired at 2026-11-26 03:16 UTC unused; nothing ran.');
  expect(ended).not.toContain(`/confirm ${code}`);
  expect(botReactions(asked.commentId)).toEqual(['eyes', 'confused']);
  expect(host.runs.some((run) => run.script.includes('current.next'))).toBe(false);

  // A plan confirmed in time whose run fails: the request ends with 👎.
  at(50);
  const again = await scenario.comment(issue, 'alice', '/rollback v1.1.0');
  const second = emulator.listComments(issue).at(-1);
  const secondCode = /\/confirm ([0-9a-f]{8})/.exec(second?.body ?? '')?.[1] ?? '';
  host.respond = (script) =>
    script.includes('current.next') ? { outcome: 'failed', exitCode: 1, output: 'mv: cannot move\n' } : {};
  at(51);
  await scenario.comment(issue, 'dana', `/confirm ${secondCode}`);
  expect(textOfComment(second?.id ?? 0).split('\n')[0]).toBe(
    '### ❌ `/rollback` was confirmed and ran: failure',
  );
  expect(botReactions(again.commentId)).toEqual(['eyes', '-1']);
});

test('a plan nobody confirms is closed by the sweep once its code expired, once, and a late /confirm changes nothing more', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  at(1);
  await scenario.comment(issue, 'alice', '/ack');
  at(2);
  const asked = await scenario.comment(issue, 'alice', '/rollback v1.1.0');
  const plan = emulator.listComments(issue).at(-1);
  if (!plan) throw new Error('no plan');
  const code = /\/confirm ([0-9a-f]{8})/.exec(plan.body ?? '')?.[1] ?? '';
  // Someone else's 🚀 on the plan is not the action's spend: it does not keep the plan open.
  emulator.repo().react(plan.id, 'mallory', 'rocket');
  // Before the code expires, the sweep leaves the plan waiting.
  at(16);
  const early = await scenario.sweep();
  expect(early.outputs).toMatchObject({ status: 'success' });
  expect(textOfComment(plan.id)).toBe(waiting(code).replace('03:21', '03:17'));
  expect(botReactions(asked.commentId)).toEqual(['eyes', '+1']);

  at(18);
  const swept = await scenario.sweep();
  expect(swept.outputs.result).toContain('1 expired plan closed');
  const ended = textOfComment(plan.id);
  expect(ended.split('\n')[0]).toBe('### ⌛ `/rollback` was not confirmed in time');
  expect(
    ended.endsWith(
      '⌛ The code expired at 2026-11-26 03:17 UTC unused; nothing ran. Post the command again for a new plan.',
    ),
  ).toBe(true);
  expect(ended).not.toContain(`/confirm ${code}`);
  expect(botReactions(asked.commentId)).toEqual(['eyes', 'confused']);

  // The next sweep and a late /confirm do not close it again.
  const edits = () =>
    emulator.requestsFor('issues/update-comment').filter((request) => request.path.endsWith(`/${plan.id}`))
      .length;
  const before = edits();
  at(25);
  const again = await scenario.sweep();
  expect(again.outputs.result).toContain('0 expired plans closed');
  const late = await scenario.comment(issue, 'dana', `/confirm ${code}`);
  expect(late.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
  expect(edits()).toBe(before);
  expect(textOfComment(plan.id)).toBe(ended);
  expect(host.runs.some((run) => run.script.includes('current.next'))).toBe(false);
  // The timeline says what became of it, at the time the code expired, linking to the plan.
  await scenario.comment(issue, 'dana', '/timeline');
  expect(textOfComment(emulator.listComments(issue).at(-1)?.id ?? 0)).toContain(
    `| 03:17 | @github-actions[bot] | Nobody confirmed \`/rollback\` before its code expired: nothing ran | [comment](${plan.html_url}) |`,
  );
});

test("the sweep leaves a plan whose code the action spent (a confirmed run under way) and a person's copy of a plan", async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  at(1);
  await scenario.comment(issue, 'alice', '/rollback v1.1.0');
  const plan = emulator.listComments(issue).at(-1);
  if (!plan) throw new Error('no plan');
  // A responder pastes the plan, record and all, into a comment of their own.
  await scenario.comment(issue, 'mallory', plan.body ?? '');
  const pasted = emulator
    .listComments(issue)
    .filter((comment) => comment.user?.login === 'mallory')
    .at(-1);
  // The action spent the code (its 🚀), then its run died before it recorded a result.
  emulator.repo().react(plan.id, 'github-actions[bot]', 'rocket');
  at(30);
  const swept = await scenario.sweep();
  expect(swept.outputs.result).toContain('0 expired plans closed');
  expect(textOfComment(plan.id).split('\n')[0]).toBe(
    '### ⚠️ `/rollback` is destructive and waits for confirmation',
  );
  expect(pasted && textOfComment(pasted.id)).toBe(textOf(plan.body ?? ''));
});

const waiting = (code: string) => `### ⚠️ \`/rollback\` is destructive and waits for confirmation

Target: \`deploy@kb-vm.test:22\` (default), timeout 180 s

1. **Check the release exists**

\`\`\`sh
cd "$KB_HOME"
test -d releases/'v1.1.0' || { echo "no release "'v1.1.0'"; releases here:"; ls releases; exit 1; }
echo "current: $(readlink current)"
\`\`\`

2. **Switch the current release** ⚠️ destructive

\`\`\`sh
cd "$KB_HOME"
ln -sfn releases/'v1.1.0' current.next && mv -T current.next current
echo "current: $(readlink current)"
\`\`\`

3. **Restart application**

\`\`\`sh
kbctl restart slack-kb-agent
\`\`\`

Then check: **Health check**

\`\`\`sh
for attempt in $(seq 1 20); do
  curl -fs -o /dev/null "$KB_URL/health" && break
  sleep 0.5
done
curl -sS -w '\\nHTTP %{http_code}\\n' "$KB_URL/health" | tee /dev/stderr | tail -n 1 | grep -q 'HTTP 200'
\`\`\`

To run exactly this plan, an authorised responder comments:

\`\`\`text
/confirm ${code}
\`\`\`

The code is bound to this command and these arguments, works once, and expires at 2026-11-26 03:21 UTC.`;

const RAN = `### ✅ \`/rollback\` was confirmed and ran: success

Target: \`deploy@kb-vm.test:22\` (default), timeout 180 s

1. **Check the release exists**

\`\`\`sh
cd "$KB_HOME"
test -d releases/'v1.1.0' || { echo "no release "'v1.1.0'"; releases here:"; ls releases; exit 1; }
echo "current: $(readlink current)"
\`\`\`

2. **Switch the current release** ⚠️ destructive

\`\`\`sh
cd "$KB_HOME"
ln -sfn releases/'v1.1.0' current.next && mv -T current.next current
echo "current: $(readlink current)"
\`\`\`

3. **Restart application**

\`\`\`sh
kbctl restart slack-kb-agent
\`\`\`

Then check: **Health check**

\`\`\`sh
for attempt in $(seq 1 20); do
  curl -fs -o /dev/null "$KB_URL/health" && break
  sleep 0.5
done
curl -sS -w '\\nHTTP %{http_code}\\n' "$KB_URL/health" | tee /dev/stderr | tail -n 1 | grep -q 'HTTP 200'
\`\`\`

---
✅ **Confirmed by @dana** at 2026-11-26 03:07 UTC and run: success ([result](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000007)). The code is spent.`;

const TIMELINE = `### Timeline so far

| UTC, 2026-11-26 | Actor | Event | Link |
|---|---|---|---|
| 03:00 | @alice | Declared P0 | — |
| 03:02 | @alice | Acknowledged | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000002) |
| 03:04 | @alice | Note: \`Errors began with the v1.2.0 deploy\` | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000003) |
| 03:06 | @alice | Asked for \`/rollback\`: destructive, held for confirmation | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000005) |
| 03:07 | @dana | Confirmed \`/rollback\`, asked for by @alice | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000006) |
| 03:07 | @alice | Ran \`/rollback\` (confirmed by @dana): success | [comment](https://github.com/octo-org/incidents/issues/1#issuecomment-1800000007) |`;
