// A diagnostic command in process (`diagnostic: true`): what it finds unhealthy is reported as
// findings — never as a failure, never stopping the steps after it — and what it quotes from a
// decoded health answer is redacted again, so an escaped credential never reaches the issue.
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import type { IncidentScenario } from '../../harness/scenario.ts';

const RUNBOOK = `version: 1
service: kb
severities:
  p1: { name: High, description: Degraded service, respond-within: 1h }
targets:
  default: { env: { KB_URL: 'http://127.0.0.1:9090' } }
commands:
  health:
    description: Health of the agent and its logs
    permission: triage
    diagnostic: true
    steps:
      - name: Application health
        run: curl -sS --fail-with-body "$KB_URL/health"
      - name: Logs
        run: docker logs kb --tail=50 2>&1
`;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;
let issue: number;

beforeEach(async () => {
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write' },
  }));
  issue = scenario.openIncident('Slow answers', 'incident:p1');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const rawComments = () => emulator.listComments(issue).map((comment) => comment.body ?? '');

test('a health answer of 503 and ERROR lines are findings: every step runs, the comment gets 👍', async () => {
  host.respond = (script) =>
    script.includes('/health')
      ? {
          outcome: 'failed',
          exitCode: 22,
          output: '{"status": "unhealthy", "problems": ["database migration 0042 failed"]}\ncurl: (22) 503\n',
        }
      : { output: '03:00:01 INFO up\n03:00:02 ERROR query failed: relation missing\n' };
  const { run, commentId } = await scenario.comment(issue, 'alice', '/health');
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'findings', command: 'health' });
  expect(emulator.reactionsFor(commentId).map((reaction) => reaction.content)).toEqual(['eyes', '+1']);
  const result = scenario.actionComments(issue).find((body) => body.startsWith('### 🔎'));
  expect(result?.split('\n').slice(0, 4)).toEqual([
    '### 🔎 2 findings: `/health`',
    '',
    '- ⚠️ **Application health**: `exit 22: database migration 0042 failed`',
    '- ⚠️ **Logs**: `1 error line: query failed: relation missing`',
  ]);
  // The first step is not continue-on-error, yet the second ran: a diagnosis only looks.
  expect(host.runs.some((ran) => ran.script.includes('docker logs kb'))).toBe(true);
  // The board and the timeline say what it found, not "failure".
  await scenario.comment(issue, 'alice', '/timeline');
  expect(scenario.actionComments(issue).at(-1)).toContain('Ran `/health`: 2 findings');
  expect(scenario.board(issue)).toMatch(/\| @alice \| 2 findings \|/);
});

test('a step that could not run (program missing) fails the diagnosis, and one not allowed to fail stops it', async () => {
  host.respond = (script) =>
    script.includes('/health')
      ? { outcome: 'failed', exitCode: 127, output: 'bash: curl: command not found\n' }
      : { output: 'fine\n' };
  const { run } = await scenario.comment(issue, 'alice', '/health');
  expect(run.outputs).toMatchObject({ status: 'failure', command: 'health' });
  const result = scenario.actionComments(issue).find((body) => body.includes('`/health`')) ?? '';
  expect(result.split('\n')[0]).toBe('### ❌ Failed: `/health`');
  expect(result).toContain(
    '**“Application health” exited with 127**; the steps after it did not run: `bash: curl: command not found`',
  );
  expect(result).toContain('- ⏭️ Logs (not run)');
});

test('a credential escaped in the JSON a health endpoint answers is redacted after decoding', async () => {
  // Raw, the output reads \"token\": redaction of the raw text cannot see a credential there;
  // decoded for the finding it would read "token":"…".
  host.respond = (script) =>
    script.includes('/health')
      ? {
          outcome: 'failed',
          exitCode: 22,
          output: '{"error": "upstream said {\\"token\\": \\"sk-live-4f9a8b7c6d5e4f3a\\"}"}\n',
        }
      : { output: 'fine\n' };
  await scenario.comment(issue, 'alice', '/health');
  for (const body of rawComments()) expect(body).not.toContain('sk-live-4f9a8b7c6d5e4f3a');
  expect(scenario.actionComments(issue).join('\n')).toContain('Application health');
});
