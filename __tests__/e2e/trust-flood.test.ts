// Anyone who can comment tries to stall the queue or spend the token's request budget: floods of
// refused commands, pasted command lists, read-only commands in bulk, huge issues. Proven from the
// host (what ran, in what order) and from the emulator (every request and reply).
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();
const BOT = 'github-actions[bot]';

const RUNBOOK = `version: 1
service: flood checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  restart:
    description: Restart the app
    permission: write
    steps:
      - name: Restart
        run: echo flood-restart
`;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;
let sessionsBefore = 0;

const restarts = async () =>
  (await readCommandLog(host()))
    .slice(sessionsBefore)
    .filter((entry) => entry.command?.includes('flood-restart')).length;
const bot = () => emulator.listComments(issue).filter((comment) => comment.user?.login === BOT);
const bodyOf = (request: { body: unknown }) => (request.body ?? {}) as Record<string, unknown>;
const reactions = (commentId: number) => emulator.reactionsFor(commentId).map((reaction) => reaction.content);

beforeEach(async () => {
  sessionsBefore = (await readCommandLog(host())).length;
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { admin: 'admin', alice: 'write' },
    inputs: sshInputs(host()),
  }));
  // On a public repository anyone without a grant reads as `read`.
  emulator.repo().setVisibility('public');
  issue = scenario.openIssue('Flood', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('ten outsider comments of six /restart lines: the admin’s /restart runs first, each outsider hears once', async () => {
  const noise = Array.from({ length: 10 }, (_, index) =>
    scenario.postComment(issue, `outsider${index % 3}`, Array(6).fill('/restart').join('\n')),
  );
  const admin = scenario.postComment(issue, 'admin', '/restart');
  const before = emulator.requests.length;
  // GitHub keeps one pending run per concurrency group: the admin's is the one that starts.
  const { outputs } = await admin.start();
  const requests = emulator.requests.slice(before);

  expect(await restarts()).toBe(1);
  expect(reactions(admin.commentId)).toEqual(['eyes', '+1']);
  // The command reached the host before a single refusal was written.
  const firstRefusal = requests.findIndex(
    (request) =>
      request.operationId === 'reactions/create-for-issue-comment' && bodyOf(request).content === 'confused',
  );
  const result = requests.findIndex(
    (request) =>
      request.operationId === 'issues/create-comment' &&
      String(bodyOf(request).body).includes('"kind":"result"'),
  );
  expect(result).toBeGreaterThanOrEqual(0);
  expect(firstRefusal).toBeGreaterThan(result);
  // One read of the issue, whatever the noise.
  expect(requests.filter((request) => request.operationId === 'issues/list-comments')).toHaveLength(1);
  // Every outsider comment is marked; each outsider gets one notice, nothing is echoed per comment.
  for (const { commentId } of noise) expect(reactions(commentId)).toEqual(['confused']);
  const notices = bot().filter((comment) => (comment.body ?? '').includes('"kind":"notice"'));
  expect(notices.map((comment) => /@(outsider\d)/.exec(comment.body ?? '')?.[1]).sort()).toEqual([
    'outsider0',
    'outsider1',
    'outsider2',
  ]);
  const replies = bot().filter((comment) => !(comment.body ?? '').includes('"kind":"board"'));
  expect(replies.filter((comment) => (comment.body ?? '').includes('/restart'))).toHaveLength(1);
  expect(replies).toHaveLength(4);
  expect(outputs.status).toBe('refused');

  // Later noise from the same people costs a reaction and nothing else.
  const comments = bot().length;
  const more = await scenario.comment(issue, 'outsider1', '/restart');
  expect(reactions(more.commentId)).toEqual(['confused']);
  expect(bot()).toHaveLength(comments);
  expect(await restarts()).toBe(1);
});

test('eight comments of three read-only commands each: the admin’s /restart first, then at most three answers', async () => {
  const noise = Array.from({ length: 8 }, () =>
    scenario.postComment(issue, 'reader', '/help\n/timeline\n/help'),
  );
  const admin = scenario.postComment(issue, 'admin', '/restart');
  const before = emulator.requests.length;
  await admin.start();
  const requests = emulator.requests.slice(before);
  expect(await restarts()).toBe(1);
  const posted = requests.filter((request) => request.operationId === 'issues/create-comment');
  const first = posted.findIndex((request) => String(bodyOf(request).body).includes('"kind":"result"'));
  const firstAnswer = posted.findIndex((request) =>
    String(bodyOf(request).body).includes('"kind":"answered"'),
  );
  expect(first).toBeGreaterThanOrEqual(0);
  expect(firstAnswer === -1 || firstAnswer > first).toBe(true);
  const answers = bot().filter((comment) => (comment.body ?? '').includes('"kind":"answered"'));
  expect(answers.length).toBeLessThanOrEqual(3);
  // A later run a quiet while after answers what the limit allows then, never more.
  await scenario.sweep();
  expect(
    bot().filter((comment) => (comment.body ?? '').includes('"kind":"answered"')).length,
  ).toBeLessThanOrEqual(3);
  for (const { commentId } of noise) expect(reactions(commentId).length).toBeGreaterThan(0);
});

test('a responder’s comment with more commands than max-commands is refused whole and runs nothing', async () => {
  const { commentId, run } = await scenario.comment(issue, 'alice', Array(10).fill('/restart').join('\n'));
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'too-many-commands' });
  expect(await restarts()).toBe(0);
  expect(reactions(commentId)).toEqual(['confused']);
  const replies = scenario.actionComments(issue);
  expect(replies).toHaveLength(1);
  expect(replies[0]).toContain(
    'holds 10 commands; at most 5 run from one comment, and a comment with more runs none of them',
  );
  // Exactly max-commands lines are fine.
  const five = await scenario.comment(issue, 'alice', Array(5).fill('/restart').join('\n'));
  expect(five.run.outputs.status).toBe('success');
  expect(await restarts()).toBe(5);
});

test('read-only commands from people without write access are rate-limited per person', async () => {
  // Five /timeline lines in one comment: more than the limit allows at once, so none is answered.
  const bulk = await scenario.comment(issue, 'reader', Array(5).fill('/timeline').join('\n'));
  expect(bulk.run.outputs).toMatchObject({ status: 'refused', reason: 'rate-limited' });
  expect(scenario.actionComments(issue)).toHaveLength(1);
  expect(scenario.actionComments(issue)[0]).toContain(
    '@reader: at most 3 read-only commands every 10 minutes',
  );
  expect(scenario.actionComments(issue).some((body) => body.includes('### Timeline so far'))).toBe(false);

  const other = 'reader2';
  for (let round = 0; round < 3; round += 1) {
    const { run } = await scenario.comment(issue, other, '/help');
    expect(run.outputs).toMatchObject({ status: 'success', command: 'help' });
  }
  const answered = scenario.actionComments(issue).length;
  const fourth = await scenario.comment(issue, other, '/help');
  expect(fourth.run.outputs).toMatchObject({ status: 'refused', reason: 'rate-limited' });
  expect(scenario.actionComments(issue)).toHaveLength(answered + 1);
  const fifth = await scenario.comment(issue, other, '/timeline');
  expect(fifth.run.outputs).toMatchObject({ status: 'refused', reason: 'rate-limited' });
  expect(scenario.actionComments(issue)).toHaveLength(answered + 1);
  expect(reactions(fifth.commentId)).toEqual(['confused']);
});

test('an issue with 2,000 comments is read once per run, however many commands the run handles', async () => {
  for (let index = 0; index < 2000; index += 1) {
    emulator.addComment(issue, {
      user: index % 50 === 0 ? `outsider${index % 7}` : `responder${index % 5}`,
      body: index % 50 === 0 ? '/restart\n/restart' : `looking at shard ${index}`,
    });
  }
  const first = scenario.postComment(issue, 'alice', '/restart');
  scenario.postComment(issue, 'admin', '/restart');
  const before = emulator.requests.length;
  await first.start({ timeoutMs: 300_000 });
  const requests = emulator.requests.slice(before);
  expect(await restarts()).toBe(2);
  const lists = requests.filter((request) => request.operationId === 'issues/list-comments');
  // 2,000 + the board + the two commands, 100 to a page: one pass.
  expect(lists).toHaveLength(21);
  const reads = requests.filter((request) => request.method === 'GET').length;
  process.stdout.write(`2,000-comment issue: ${requests.length} requests in one run (${reads} reads)\n`);
  expect(reads).toBeLessThan(60);
}, 600_000);
