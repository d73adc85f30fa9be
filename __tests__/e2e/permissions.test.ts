import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import {
  STANDIN_RUNBOOK,
  IncidentScenario,
  sshInputs,
  startIncidentWorkspace,
} from '../../harness/scenario.ts';

const host = useDeployHost();

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let sessionsBefore: number;

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', 'fork-contributor': 'read' },
    inputs: sshInputs(host()),
  }));
  sessionsBefore = (await readCommandLog(host())).length;
});

afterEach(async () => {
  // In every case: nothing ran on the host.
  expect((await readCommandLog(host())).length).toBe(sessionsBefore);
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

function incident(labels = ['incident:p1']): number {
  const issue = scenario.openIssue('Permission edge case');
  if (labels.length > 0) emulator.repo().addLabels(issue, labels, 'alice');
  return issue;
}

test('an outsider gets one reply, without an echo of their text', async () => {
  const issue = incident();
  const { run } = await scenario.comment(issue, 'stranger', '/restart @everyone');
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
  const replies = scenario.actionComments(issue);
  expect(replies).toHaveLength(1);
  expect(replies[0]).toMatch(
    /^🚫 @stranger has no access to this repository, so commands from this account are not run\. Nothing was executed\./,
  );
  expect(replies[0]).not.toContain('everyone');
  // A second comment gets no reply at all, only the 😕.
  const again = await scenario.comment(issue, 'stranger', '/restart');
  expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
  expect(scenario.actionComments(issue)).toHaveLength(1);
  expect(emulator.reactionsFor(again.commentId).map((reaction) => reaction.content)).toEqual(['confused']);
});

test('a contributor from a fork (read) is refused with the permission needed', async () => {
  const issue = incident();
  const { run } = await scenario.comment(issue, 'fork-contributor', '/restart');
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
  expect(scenario.actionComments(issue).at(-1)).toContain(
    '@fork-contributor: commands on this incident need write access to the repository; you have read.',
  );
});

test('a bot’s comment is ignored', async () => {
  const issue = incident();
  const run = await scenario.botComment(issue, 'dependabot[bot]', '/restart');
  expect(run.outputs).toMatchObject({ status: 'ignored' });
  expect(run.stdout).toContain('is by the bot dependabot[bot]');
  expect(scenario.actionComments(issue)).toEqual([]);
});

test('an edited comment never runs: an edit that adds a command is answered, an edit of a handled one changes nothing', async () => {
  const issue = incident();
  const comment = emulator.addComment(issue, { user: 'alice', body: 'looking' });
  const run = await scenario.editComment(issue, comment.id, 'alice', 'looking\n/restart');
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'edited' });
  expect(run.stdout).toContain('was edited; only new comments are read as commands');
  const [reply] = scenario.actionComments(issue);
  expect(reply).toContain('✏️ **Not run:**');
  expect(reply).toContain('was edited before its turn came (`/restart`)');
  expect(reply).toContain('Nothing was executed.');
  const reactions = emulator.reactionsFor(comment.id).map((reaction) => reaction.content);
  expect(reactions.sort()).toEqual(['confused', 'eyes']);

  const help = await scenario.comment(issue, 'alice', '/help');
  expect(help.run.outputs.status).toBe('success');
  const replies = scenario.actionComments(issue).length;
  const rerun = await scenario.editComment(issue, help.commentId, 'alice', '/restart');
  expect(rerun.outputs.status).toBe('ignored');
  expect(scenario.actionComments(issue)).toHaveLength(replies);
});

test('a comment on an issue that is not an incident, or is closed, is ignored', async () => {
  const plain = incident([]);
  const onPlain = await scenario.comment(plain, 'alice', '/restart');
  expect(onPlain.run.outputs).toMatchObject({ status: 'ignored' });
  expect(onPlain.run.stdout).toContain('no incident:pN label');
  const closed = incident();
  emulator.repo().updateIssue(closed, { state: 'closed' }, 'alice');
  const onClosed = await scenario.comment(closed, 'alice', '/restart');
  expect(onClosed.run.outputs).toMatchObject({ status: 'ignored' });
  expect(onClosed.run.stdout).toContain('is on a closed issue');
});

test('a user whose permission was removed between the comment and the run is refused', async () => {
  const issue = incident();
  emulator.setPermission('alice', 'read');
  const { run } = await scenario.comment(issue, 'alice', '/restart');
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
  expect(scenario.actionComments(issue).at(-1)).toContain(
    'need write access to the repository; you have read',
  );
});

test('team membership that cannot be read refuses (fail closed)', async () => {
  const issue = incident();
  emulator.setTeamMember('acme', 'sre', 'alice', 'forbidden');
  const { run } = await scenario.comment(issue, 'alice', '/restart', { 'allowed-teams': 'acme/sre' });
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'team-unknown' });
  expect(scenario.actionComments(issue).at(-1)).toContain('membership of acme/sre could not be read');
});
