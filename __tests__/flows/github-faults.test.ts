// GitHub failing under the action, in process: retried where a retry is safe, never a duplicate,
// and a run that cannot go on fails loudly with nothing run on the host.
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;

beforeEach(async () => {
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write' },
  }));
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('5xx, 429 and a secondary rate limit are retried; each comment is posted once', async () => {
  // Rate limits are waited out only at GitHub's pacing.
  await emulator.close();
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write' },
    pacing: 'github',
  }));
  const issue = scenario.openIncident('Down', 'incident:p1');
  emulator.inject({
    operationId: 'reactions/create-for-issue-comment',
    kind: 'status',
    status: 502,
    times: 1,
  });
  emulator.inject({
    operationId: 'issues/create-comment',
    kind: 'secondary-rate-limit',
    retryAfter: 1,
    times: 1,
  });
  emulator.inject({ operationId: 'issues/update-comment', kind: 'rate-limit-429', retryAfter: 1, times: 1 });
  const { commentId, run } = await scenario.comment(issue, 'alice', '/status');
  expect(run.outputs).toMatchObject({ status: 'success', command: 'status' });
  expect(host.ran('$KB_URL/metrics')).toHaveLength(1);
  expect(scenario.actionComments(issue).filter((body) => body.includes('`/status`'))).toHaveLength(1);
  expect(emulator.reactionsFor(commentId).map((reaction) => reaction.content)).toEqual(['eyes', '+1']);
  expect(emulator.requests.filter((request) => request.fault).length).toBe(3);
});

test('with the API unavailable the run fails loudly and nothing runs on the host', async () => {
  const issue = scenario.openIncident('Down', 'incident:p1');
  emulator.inject({ path: /.*/, kind: 'status', status: 503, times: 1000 });
  const { run } = await scenario.comment(issue, 'alice', '/restart');
  expect(run.exitCode).toBe(1);
  expect(run.outputs).toMatchObject({ status: 'error', reason: 'unexpected' });
  expect(host.runs).toEqual([]);
  emulator.clearFaults();
});

test('the declaration is retried, then the run fails loudly', async () => {
  const issue = scenario.openIssue('Down');
  emulator.inject({ operationId: 'issues/create-comment', kind: 'status', status: 502, times: 4 });
  const run = await scenario.label(issue, 'incident:p0', 'alice');
  expect(run.exitCode).toBe(1);
  expect(run.outputs.status).toBe('error');
  expect(emulator.requestsFor('issues/create-comment').length).toBeGreaterThan(1);
});

test('a comment deleted while its run waits is not answered, and nothing runs', async () => {
  const issue = scenario.openIncident('Down', 'incident:p1');
  const posted = scenario.postComment(issue, 'alice', '/restart');
  emulator.repo().deleteComment(posted.commentId);
  const run = await posted.start();
  expect(run.exitCode).toBe(0);
  expect(host.runs).toEqual([]);
});
