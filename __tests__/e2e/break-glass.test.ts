// Break glass, end to end: GitHub is down, a responder runs runbook commands from a terminal with
// the bundled CLI (dist/cli/index.js) against the real sshd; when GitHub is back, `replay` posts
// the journal into the issue through the emulator, the bundled action records it, and the
// postmortem's timeline holds the offline entries in order. A second replay adds nothing; a
// tampered journal is refused before anything is posted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { runCli } from '../../harness/cli.ts';
import { onHost, readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import {
  STANDIN_RUNBOOK,
  IncidentScenario,
  sshInputs,
  startIncidentWorkspace,
} from '../../harness/scenario.ts';

const host = useDeployHost();
const DANA_TOKEN = 'ghp_danaBreakGlassToken00000000000000000';

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let dir: string;

/** The bundled CLI as a person runs it in a terminal (stdin piped: what they type). */
const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  runCli(args, { cwd: dir, ...options });

const sshArgs = () => [
  '--host',
  host().sshHost,
  '--port',
  String(host().sshPort),
  '--user',
  host().sshUser,
  '--key',
  join(dir, 'id'),
  '--known-hosts',
  join(dir, 'known_hosts'),
  '--runbook',
  'runbook.yml',
  '--login',
  'dana',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'break-glass-'));
  writeFileSync(join(dir, 'runbook.yml'), STANDIN_RUNBOOK);
  writeFileSync(join(dir, 'id'), host().privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'known_hosts'), `${host().knownHostsLine}\n`);
});

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: STANDIN_RUNBOOK,
    roles: { alice: 'write', dana: 'maintain' },
    inputs: sshInputs(host()),
  }));
  emulator.addToken(DANA_TOKEN, 'dana');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('run while GitHub is down, replay when it is back: the postmortem holds the offline entries in order', async () => {
  const issue = scenario.openIssue('KB agent answers 503');
  await scenario.label(issue, 'incident:p0', 'alice');

  // GitHub goes down: every request would fail. The terminal client needs none.
  emulator.inject({ kind: 'status', status: 503, message: 'GitHub is down', times: 1_000_000 });
  const requestsBefore = emulator.requests.length;
  const pidBefore = await onHost(host(), 'kbctl pid slack-kb-agent');
  const sessionsBefore = (await readCommandLog(host())).length;

  const restart = await cli(['run', '/restart', ...sshArgs()], {
    env: { GITHUB_API_URL: emulator.url, GITHUB_TOKEN: DANA_TOKEN },
  });
  expect(restart.stderr).toBe('');
  expect(restart.code).toBe(0);
  expect(restart.stdout).toMatch(/\[1\/2\] Restart application … ok \(exit 0\)/);
  expect(restart.stdout).toMatch(/\[2\/2\] check: Health check … ok \(exit 0\)/);
  expect(restart.stdout).toContain('/restart: success (exit 0)');
  const pidAfter = await onHost(host(), 'kbctl pid slack-kb-agent');
  expect(pidAfter).not.toBe(pidBefore);

  // A destructive command waits for its name to be typed; "yes" is not it, and nothing runs.
  const sessionsMid = (await readCommandLog(host())).length;
  const rollback = await cli(['run', '/rollback v1.1.0', ...sshArgs()], { input: 'yes\n' });
  expect(rollback.code).toBe(2);
  expect(rollback.stdout).toContain('Not confirmed: nothing ran.');
  expect((await readCommandLog(host())).length).toBe(sessionsMid);

  const logs = await cli(['run', '/logs --lines 3', ...sshArgs()]);
  expect(logs.code).toBe(0);
  expect((await readCommandLog(host())).length).toBeGreaterThan(sessionsBefore);
  expect(emulator.requests.length).toBe(requestsBefore);

  const journal = readFileSync(join(dir, 'incident-journal.ndjson'), 'utf8');
  const kinds = journal
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as { kind: string }).kind);
  expect(kinds).toEqual([
    'session',
    'command',
    'step',
    'step',
    'result',
    'command',
    'declined',
    'command',
    'step',
    'result',
  ]);
  // The key never reaches the journal.
  expect(journal).not.toContain(host().privateKey.split('\n')[1] ?? 'no key line');

  // GitHub is back. The tampered copy is refused before anything is posted.
  emulator.clearFaults();
  writeFileSync(join(dir, 'tampered.ndjson'), journal.replace('"exitCode":0', '"exitCode":1'));
  const replayArgs = ['--issue', String(issue), '--repo', 'octo-org/incidents', '--api-url', emulator.url];
  const env = { GITHUB_TOKEN: DANA_TOKEN };
  const tampered = await cli(['replay', 'tampered.ndjson', ...replayArgs], { env });
  expect(tampered.code).toBe(1);
  expect(tampered.stderr).toContain('the journal is refused (line 3): entry 3 does not match its hash');
  expect(tampered.stderr).toContain('Nothing was posted.');

  const replay = await cli(['replay', 'incident-journal.ndjson', ...replayArgs], { env });
  expect(replay.stderr).toBe('');
  expect(replay.code).toBe(0);
  expect(replay.stdout).toContain('10 entries posted');
  const posted = emulator.listComments(issue).filter((comment) => comment.user?.login === 'dana');
  expect(posted).toHaveLength(1);
  // GitHub starts the workflow for dana's comment: the bundled action records the entries.
  const recorded = await scenario.runForComment(issue, posted[0]?.id ?? 0);
  expect(recorded.outputs).toMatchObject({ status: 'success', command: 'journal' });

  const again = await cli(['replay', 'incident-journal.ndjson', ...replayArgs], { env });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(
    'Nothing to replay: all 10 entries of incident-journal.ndjson are already on issue',
  );
  expect(emulator.listComments(issue).filter((comment) => comment.user?.login === 'dana')).toHaveLength(1);

  const resolved = await scenario.comment(
    issue,
    'alice',
    '/resolve restarted from a terminal during the outage',
  );
  expect(resolved.run.outputs.status).toBe('success');
  const postmortem =
    scenario.actionComments(issue).find((body) => body.includes('"kind":"postmortem"')) ?? '';
  const offline = postmortem.split('\n').filter((row) => row.includes('Offline (journal)'));
  expect(offline.map((row) => /`([^`]*)`\s*\|?\s*$/.exec(row)?.[1] ?? row)).toEqual([
    expect.stringContaining('session on'),
    expect.stringContaining('asked for /restart'),
    expect.stringContaining('step “Restart application”: ok, exit 0'),
    expect.stringContaining('step “Health check”: ok, exit 0'),
    expect.stringContaining('/restart ended success'),
    expect.stringContaining('asked for /rollback'),
    expect.stringContaining('declined /rollback'),
    expect.stringContaining('asked for /logs'),
    expect.stringContaining('/logs step “Logs”: ok, exit 0'),
    expect.stringContaining('/logs ended success'),
  ]);
});

describe('the bundled client on a runbook, as the pull-request check runs it', () => {
  const corpus = (path: string) => fileURLToPath(new URL(`../corpus/runbooks/${path}`, import.meta.url));

  test('validate --format github: one annotation per problem, exit 1; a good runbook exits 0', async () => {
    const bad = await cli(['validate', corpus('bad/five-errors.yml'), '--format', 'github']);
    expect(bad.code).toBe(1);
    const annotations = bad.stdout.trimEnd().split('\n');
    expect(annotations).toHaveLength(7);
    for (const line of annotations)
      expect(line).toMatch(/^::error file=[^,]+five-errors\.yml,line=\d+,col=\d+,title=[^:]+::\S/);
    const good = await cli(['validate', corpus('good/supervisor.yml')]);
    expect(good).toMatchObject({ code: 0, stdout: expect.stringContaining('valid (') });
    const missing = await cli(['validate', 'nowhere.yml']);
    expect(missing).toMatchObject({ code: 1, stderr: 'nowhere.yml: no such file\n' });
  });

  test('plan prints the plan offline; a missing runbook file is an error, not the built-in runbook', async () => {
    const plan = await cli(['plan', '/rollback v1.1.0', '--runbook', 'runbook.yml', '--as', 'triage']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("ln -sfn releases/'v1.1.0' current.next");
    expect(plan.stdout).toContain('may **not** run it');
    const missing = await cli(['plan', '/restart', '--runbook', 'incident-runbook.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no file at this path');
  });
});
