import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import {
  STANDIN_RUNBOOK,
  IncidentScenario,
  sshInputs,
  startIncidentWorkspace,
} from '../../harness/scenario.ts';
import { createUnreachableHost } from '../../harness/unreachable-host.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const host = useDeployHost();
const isRoot = process.getuid?.() === 0;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write' },
    inputs: sshInputs(host()),
    // Rate limits are waited out by the pacing GitHub asks for: keep it on here.
    pacing: 'github',
  }));
  issue = scenario.openIncident('Faults', 'incident:p1');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const sessions = async () => (await readCommandLog(host())).length;
const lastResult = () => scenario.actionComments(issue).at(-1) ?? '';

describe('SSH faults are told apart and explained on the issue', () => {
  test('connection refused', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/health', { 'ssh-port': '1' });
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'ssh-error', 'exit-code': '255' });
    expect(lastResult()).toContain('connection refused: nothing is listening on the host and port given.');
  });

  test('authentication failure', async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'other-key-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'id')]);
    const before = await sessions();
    const { run } = await scenario.comment(issue, 'alice', '/health', {
      'ssh-private-key': readFileSync(join(keyDir, 'id'), 'utf8'),
    });
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'ssh-error' });
    expect(lastResult()).toContain(
      'authentication failed: the host did not accept ssh-private-key for ssh-user.',
    );
    expect(await sessions()).toBe(before);
  });

  (isRoot ? test : test.skip)(
    'host unreachable (a test host in a namespace whose link is down)',
    async () => {
      const unreachable = createUnreachableHost();
      try {
        const { run } = await scenario.comment(issue, 'alice', '/health', {
          'ssh-host': unreachable.address,
        });
        expect(run.outputs).toMatchObject({ status: 'failure', reason: 'ssh-error' });
        expect(lastResult()).toContain('host unreachable');
      } finally {
        unreachable.remove();
      }
    },
  );

  test('a remote exit of 255 is the command’s, not an ssh failure', async () => {
    emulator.putFile(
      '.github/incident-runbook.yml',
      STANDIN_RUNBOOK.replace(
        '  status:\n',
        '  exit255:\n    description: Exits 255\n    steps:\n      - name: exit\n        run: echo bye; exit 255\n\n  status:\n',
      ),
    );
    const { run } = await scenario.comment(issue, 'alice', '/exit255');
    expect(run.outputs).toMatchObject({ status: 'failure', reason: 'step-failed', 'exit-code': '255' });
    expect(lastResult()).toContain('**“exit” exited with 255**: `bye`');
  });
});

describe('GitHub faults are survived without duplicates', () => {
  test('5xx, 429 and a secondary rate limit are retried; each comment is posted once', async () => {
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
    emulator.inject({
      operationId: 'issues/update-comment',
      kind: 'rate-limit-429',
      retryAfter: 1,
      times: 1,
    });
    const before = await sessions();
    const { commentId, run } = await scenario.comment(issue, 'alice', '/status');
    expect(run.outputs).toMatchObject({ status: 'success', command: 'status' });
    expect(await sessions()).toBe(before + 1);
    const results = scenario.actionComments(issue).filter((body) => body.includes('`/status`'));
    expect(results).toHaveLength(1);
    expect(emulator.reactionsFor(commentId).map((reaction) => reaction.content)).toEqual(['eyes', '+1']);
    expect(emulator.requests.filter((request) => request.fault).length).toBe(3);
  });

  test('with the API unavailable the run fails loudly and nothing runs on the host', async () => {
    emulator.inject({ path: /.*/, kind: 'status', status: 503, times: 1000 });
    const before = await sessions();
    const { run } = await scenario.comment(issue, 'alice', '/restart');
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'error', reason: 'unexpected' });
    expect(await sessions()).toBe(before);
    emulator.clearFaults();
  });
});
