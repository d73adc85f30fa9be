// The built-in runbook, every command with its literal steps, through the bundled action, over the
// real sshd, against the real docker-compose stack (agent, PostgreSQL 15, Redis), with Prometheus.
// Each test proves its effect on the host itself: docker inspect, the database, the agent's /health.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { descendantsOf, listProcesses } from '../../harness/deploy/processes.ts';
import type { AddressInfo } from 'node:net';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';
import { onStack, useStack } from '../../harness/stack/for-tests.ts';
import {
  BROKEN_RELEASE,
  CURRENT_RELEASE,
  stackDocker,
  TABLE_ROWS,
  waitForHealthy,
} from '../../harness/stack/stack.ts';

// The first start on a machine builds images (useStack allows for it); each test may restart the stack.
jest.setTimeout(300_000);

const stack = useStack();
const execFileAsync = promisify(execFile);

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

const docker = (...args: string[]) => stackDocker(stack())(args);
const inspect = (container: string, format: string) => docker('inspect', container, '--format', format);
const health = async () =>
  JSON.parse(await onStack(stack(), 'curl -fsS "$SLACK_KB_AGENT_URL/health"')) as {
    status: string;
    release: string;
    features: { llm: boolean; vector_search: boolean };
    documents: number;
    document_limit: number;
  };
const counts = () => onStack(stack(), 'slack-kb-db counts');
const lastComment = () => scenario.actionComments(issue).at(-1) ?? '';

/**
 * Runs `line` as alice (write), or `by`; a destructive command is confirmed by another responder,
 * as the runbook asks.
 */
async function run(line: string, options: { confirm?: boolean; timeoutMs?: number; by?: string } = {}) {
  const by = options.by ?? 'alice';
  const asked = await scenario
    .postComment(issue, by, line)
    .start({ timeoutMs: options.timeoutMs ?? 180_000 });
  if (!options.confirm) return asked;
  expect(asked.outputs).toMatchObject({ status: 'planned', reason: 'awaiting-confirmation' });
  const code = /\/confirm ([0-9a-f]{8})/.exec(lastComment())?.[1];
  expect(code).toBeDefined();
  return scenario
    .postComment(issue, by === 'dana' ? 'erin' : 'dana', `/confirm ${code}`)
    .start({ timeoutMs: options.timeoutMs ?? 300_000 });
}

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    roles: { alice: 'write', dana: 'maintain', erin: 'maintain', mallory: 'read' },
    inputs: { ...sshInputs(stack()), runbook: 'builtin' },
  }));
  issue = scenario.openIncident('Slack KB Agent answers 503', 'incident:p1');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('Scenario 1: application down', () => {
  test('/health runs the four checks against the containers', async () => {
    const result = await run('/health');
    expect(result.outputs).toMatchObject({ status: 'success', command: 'health' });
    const comment = lastComment();
    expect(comment).toContain('"status": "healthy"');
    expect(comment).toContain('accepting connections');
    expect(comment).toContain('PONG');
    expect(comment).toMatch(/slack-kb-agent\s+python3 -m slack_kb_agent/);
  });

  test('/restart restarts the agent container: its start time changes and /health answers', async () => {
    const before = await inspect('slack-kb-agent', '{{.State.StartedAt}}');
    const result = await run('/restart');
    expect(result.outputs).toMatchObject({ status: 'success', command: 'restart', 'exit-code': '0' });
    expect(await inspect('slack-kb-agent', '{{.State.StartedAt}}')).not.toBe(before);
    expect(lastComment()).toMatch(/✅ Check: Health check \(exit 0/);
  });

  test('/restart postgres restarts the database container, and the agent reconnects', async () => {
    const before = await inspect('slack-kb-postgres', '{{.State.StartedAt}}');
    const agentBefore = await inspect('slack-kb-agent', '{{.State.StartedAt}}');
    const result = await run('/restart postgres');
    expect(result.outputs).toMatchObject({ status: 'success', command: 'restart' });
    expect(await inspect('slack-kb-postgres', '{{.State.StartedAt}}')).not.toBe(before);
    expect(await inspect('slack-kb-agent', '{{.State.StartedAt}}')).toBe(agentBefore);
    expect((await health()).status).toBe('healthy');
  });

  test('/rollback pulls the tag through the registry and runs it; a broken or missing tag says why', async () => {
    try {
      await rollbackScenario();
    } finally {
      // Leave the stack on its current release for the tests that follow, whatever happened.
      await onStack(stack(), `sed -i '/^SLACK_KB_AGENT_TAG=/d' .env && docker-compose up -d 2>&1`);
      await waitForHealthy(stack());
    }
  });
});

async function rollbackScenario() {
  {
    await docker('rmi', '-f', 'slack-kb-agent:v1.4.1').catch(() => '');
    const rolled = await run('/rollback v1.4.1', { confirm: true });
    expect(rolled.outputs).toMatchObject({ status: 'success', command: 'rollback' });
    expect(await inspect('slack-kb-agent', '{{.Config.Image}}')).toBe('slack-kb-agent:v1.4.1');
    expect((await health()).release).toBe('v1.4.1');
    expect(lastComment()).toContain('running image: slack-kb-agent:v1.4.1');
    expect(await onStack(stack(), 'grep ^SLACK_KB_AGENT_TAG= .env')).toBe('SLACK_KB_AGENT_TAG=v1.4.1');

    // A tag that does not exist fails at the pull, while the release that runs keeps running.
    const missing = await run('/rollback v9.9.9', { confirm: true });
    expect(missing.outputs).toMatchObject({ status: 'failure', command: 'rollback' });
    expect(lastComment()).toMatch(/Pull the earlier image/);
    expect(await inspect('slack-kb-agent', '{{.Config.Image}}')).toBe('slack-kb-agent:v1.4.1');

    // The broken release starts, but its health check fails and the result shows why.
    const broken = await run(`/rollback ${BROKEN_RELEASE}`, { confirm: true });
    expect(broken.outputs).toMatchObject({ status: 'failure', command: 'rollback' });
    expect(lastComment()).toContain('database migration 0042 failed');

    const back = await run(`/rollback ${CURRENT_RELEASE}`, { confirm: true });
    expect(back.outputs).toMatchObject({ status: 'success' });
    expect((await health()).release).toBe(CURRENT_RELEASE);
  }
}

describe('Scenario 2: the database', () => {
  test('/backup then /restore bring back the same rows and checksum after the data was damaged', async () => {
    const original = await counts();
    expect(original).toContain(
      `rows: users ${TABLE_ROWS.users}, documents ${TABLE_ROWS.documents}, messages ${TABLE_ROWS.messages}`,
    );
    const backup = await run('/backup');
    expect(backup.outputs).toMatchObject({ status: 'success', command: 'backup' });
    const file = /file: data\/backups\/(emergency_\d{8}_\d{6}\.json\.gz)/.exec(lastComment())?.[1];
    expect(file).toBeDefined();
    const sha = /sha256: ([0-9a-f]{64})/.exec(lastComment())?.[1];
    expect(await onStack(stack(), `sha256sum data/backups/${file} | cut -d' ' -f1`)).toBe(sha);

    await docker(
      'exec',
      'slack-kb-postgres',
      'psql',
      '-q',
      '-d',
      'slack_kb_agent',
      '-c',
      'delete from messages where id % 2 = 0',
    );
    expect(await counts()).not.toBe(original);

    const restored = await run(`/restore ${file}`, { confirm: true, by: 'dana' });
    expect(restored.outputs).toMatchObject({ status: 'success', command: 'restore' });
    expect(lastComment()).toContain(`before: users 25, documents 300, messages 600`);
    expect(await counts()).toBe(original);
  });

  test('/db-integrity dumps the whole database and prints its size and sha256', async () => {
    const result = await run('/db-integrity');
    expect(result.outputs).toMatchObject({ status: 'success', command: 'db-integrity' });
    const comment = lastComment();
    const file = /file: (data\/backups\/integrity_\d{8}_\d{6}\.sql)/.exec(comment)?.[1];
    expect(file).toBeDefined();
    expect(comment).toContain('tables: 3');
    expect(await onStack(stack(), `stat -c %s ${file}`)).toBe(/size: (\d+) bytes/.exec(comment)?.[1]);
    expect(await onStack(stack(), `sha256sum ${file} | cut -d' ' -f1`)).toBe(
      /sha256: ([0-9a-f]{64})/.exec(comment)?.[1],
    );
  });

  test('/recreate-db backs up, removes the volume, starts empty and restores: same rows and checksum', async () => {
    const original = await counts();
    const volumeBefore = await docker(
      'volume',
      'inspect',
      'slack-kb-postgres-data',
      '--format',
      '{{.CreatedAt}}',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // CreatedAt has a one-second grain
    const result = await run('/recreate-db', { confirm: true, by: 'dana', timeoutMs: 280_000 });
    expect(result.outputs).toMatchObject({ status: 'success', command: 'recreate-db' });
    expect(
      await docker('volume', 'inspect', 'slack-kb-postgres-data', '--format', '{{.CreatedAt}}'),
    ).not.toBe(volumeBefore);
    const comment = lastComment();
    expect(comment).toContain('before: users 0, documents 0, messages 0');
    expect(comment).toContain('after: users 25, documents 300, messages 1200');
    expect(await counts()).toBe(original);
    expect((await health()).status).toBe('healthy');
  });
});

describe('Scenario 3: memory', () => {
  test('/memory-limit writes the override and restarts the stack: docker inspect shows the limit', async () => {
    const result = await run('/memory-limit 1536M', { confirm: true });
    expect(result.outputs).toMatchObject({ status: 'success', command: 'memory-limit' });
    expect(await inspect('slack-kb-agent', '{{.HostConfig.Memory}}')).toBe(String(1536 * 1024 * 1024));
    const metrics = await onStack(
      stack(),
      'curl -fsS "$SLACK_KB_AGENT_URL/metrics" | grep ^slack_kb_agent_memory_limit_bytes',
    );
    expect(Number(metrics.split(' ')[1])).toBe(1536 * 1024 * 1024);
    expect(lastComment()).toContain(`memory limit: ${1536 * 1024 * 1024} bytes`);

    const refused = await run('/memory-limit 2T');
    expect(refused.outputs).toMatchObject({ status: 'refused' });
    expect(await inspect('slack-kb-agent', '{{.HostConfig.Memory}}')).toBe(String(1536 * 1024 * 1024));
  });

  test('/kb-limit lowers the document limit the agent loads with', async () => {
    expect((await health()).documents).toBe(TABLE_ROWS.documents);
    const result = await run('/kb-limit 150');
    expect(result.outputs).toMatchObject({ status: 'success', command: 'kb-limit' });
    expect(lastComment()).toContain('document limit saved: 150');
    expect(await health()).toMatchObject({ documents: 150, document_limit: 150 });
    await run('/kb-limit 10000');
    expect((await health()).documents).toBe(TABLE_ROWS.documents);
  });

  test('/diagnose memory runs psutil inside the container and reads the knowledge-base size', async () => {
    const result = await run('/diagnose memory');
    expect(result.outputs).toMatchObject({ command: 'diagnose' });
    const comment = lastComment();
    expect(comment).toMatch(/Memory: [\d.]+%/);
    expect(comment).toMatch(/Available: [\d.]+ GB/);
    expect(comment).toContain('slack_kb_agent_kb_documents 300.0');
  });
});

describe('Scenario 4: high error rates', () => {
  test('/circuit-breaker llm off: the agent reports the feature off; on brings it back', async () => {
    const off = await run('/circuit-breaker llm off');
    expect(off.outputs).toMatchObject({ status: 'success', command: 'circuit-breaker' });
    expect((await health()).features).toEqual({ llm: false, vector_search: true });
    expect(
      await onStack(
        stack(),
        'curl -fsS "$SLACK_KB_AGENT_URL/metrics" | grep \'feature_enabled{feature="llm"}\'',
      ),
    ).toMatch(/ 0\.0$/);
    // With the LLM off, the failing upstream no longer fails queries.
    await onStack(stack(), 'curl -fsS -X POST "$SLACK_KB_AGENT_URL/admin/fault?mode=errors"');
    expect(
      await onStack(stack(), 'curl -s -o /dev/null -w "%{http_code}" "$SLACK_KB_AGENT_URL/query?q=deploy"'),
    ).toBe('200');
    await run('/circuit-breaker llm on');
    expect((await health()).features.llm).toBe(true);
    expect(
      await onStack(
        stack(),
        'curl -fsS -X POST "$SLACK_KB_AGENT_URL/admin/fault?mode=errors" >/dev/null; curl -s -o /dev/null -w "%{http_code}" "$SLACK_KB_AGENT_URL/query?q=deploy"',
      ),
    ).toBe('500');
    await onStack(stack(), 'curl -fsS -X POST "$SLACK_KB_AGENT_URL/admin/fault?mode=clear"');
  });

  test('/rate-limits and /diagnose errors read the rate-limit and error metrics', async () => {
    await run('/rate-limits');
    expect(lastComment()).toContain('slack_kb_agent_rate_limit_remaining{api="slack"}');
    await run('/diagnose errors');
    expect(lastComment()).toContain('slack_kb_agent_error_rate');
    expect(lastComment()).toContain('slack_kb_agent_slack_messages_total{status="received"}');
  });

  let seen: string[] = [];
  /** A local server in the place of Slack's or OpenAI's API, where the target's URL points. */
  const standIn = (port: number, answer: (auth: string | undefined, url: string) => [number, string]) =>
    new Promise<http.Server>((resolve) => {
      const server = http.createServer((request, response) => {
        seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
        const [status, body] = answer(request.headers.authorization, request.url ?? '');
        response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  beforeEach(() => {
    seen = [];
  });

  test("/dependencies calls Slack's and OpenAI's APIs with the host's tokens and never prints them", async () => {
    const { apis } = stack();
    const slack = await standIn(apis.slackPort, (auth, url) =>
      url === '/api/auth.test' && auth === `Bearer ${apis.slackToken}`
        ? [200, '{"ok":true,"team":"Incident Test","user":"kb-agent"}']
        : [200, '{"ok":false,"error":"invalid_auth"}'],
    );
    const openai = await standIn(apis.openaiPort, (auth) =>
      auth === `Bearer ${apis.openaiKey}` ? [200, '{"data":[]}'] : [401, '{"error":"bad key"}'],
    );
    try {
      const result = await run('/dependencies');
      expect((slack.address() as AddressInfo).port).toBe(apis.slackPort);
      const comment = lastComment();
      expect(comment).toContain('"ok":true,"team":"Incident Test"');
      expect(comment).toContain('models endpoint: HTTP 200');
      expect(result.outputs).toMatchObject({ status: 'success', command: 'dependencies' });
      expect(seen).toEqual([
        `GET /api/auth.test Bearer ${apis.slackToken}`,
        `GET /v1/models Bearer ${apis.openaiKey}`,
      ]);
      const everything = JSON.stringify(scenario.actionComments(issue)) + result.stdout + result.stderr;
      expect(everything).not.toContain(apis.slackToken);
      expect(everything).not.toContain(apis.openaiKey);
      // Nor in the command sent over ssh (the host's session log), where a process list would show it.
      const sent = await readFile(path.join(stack().runDir, 'commands.log'), 'utf8');
      expect(sent).toContain('auth.test');
      expect(sent).not.toContain(apis.slackToken);
      expect(sent).not.toContain(apis.openaiKey);
    } finally {
      slack.close();
      openai.close();
    }
  });

  test('/dependencies finds, and says, which API refused when the tokens are revoked', async () => {
    const { apis } = stack();
    // The APIs no longer accept the host's tokens: Slack answers 200 with ok: false, OpenAI 401.
    const slack = await standIn(apis.slackPort, () => [200, '{"ok":false,"error":"token_revoked"}']);
    const openai = await standIn(apis.openaiPort, () => [401, '{"error":{"code":"invalid_api_key"}}']);
    try {
      const result = await run('/dependencies');
      // A diagnosis that found both APIs refusing did its job: findings, not a failure.
      expect(result.outputs).toMatchObject({
        status: 'success',
        reason: 'findings',
        command: 'dependencies',
      });
      const comment = lastComment();
      expect(comment).toContain('### 🔎 2 findings: `/dependencies`');
      expect(comment).toContain('- ⚠️ **Test Slack API**: `exit 1: ');
      expect(comment).toContain('- ⚠️ **Test OpenAI API**: `exit 22: ');
      expect(comment).toMatch(/⚠️ Test Slack API \(exit 1/);
      expect(comment).toContain('"error":"token_revoked"');
      expect(comment).toContain('Slack answered without ok: true');
      expect(comment).toMatch(/⚠️ Test OpenAI API \(exit 22/);
      expect(comment).toContain('models endpoint: HTTP 401');
      expect(seen).toHaveLength(2); // both were tried: the first failure does not hide the second
      expect(JSON.stringify(scenario.actionComments(issue))).not.toContain(apis.slackToken);
    } finally {
      slack.close();
      openai.close();
    }
  });

  test('/dependencies says so when an API cannot be reached at all', async () => {
    // Nothing listens where the target points: curl's own error, not a hang.
    const result = await run('/dependencies');
    expect(result.outputs).toMatchObject({ status: 'success', reason: 'findings', command: 'dependencies' });
    const comment = lastComment();
    expect(comment).toMatch(/curl: \(7\) Failed to connect to 127\.0\.0\.1 port \d+/);
    expect(comment).toMatch(/⚠️ Test OpenAI API \(exit 7/);
  });
});

describe('checking a host before the first incident', () => {
  test('/doctor passes on the ready VM, every requirement named; a stopped container is found', async () => {
    const ready = await run('/doctor');
    expect(ready.outputs).toMatchObject({ status: 'success', command: 'doctor', 'exit-code': '0' });
    let comment = lastComment();
    expect(comment).toMatch(/✅ docker: daemon 20\.10\.\S+, reachable as kbstack/);
    expect(comment).toMatch(/✅ docker-compose 1\.29\.\d+/);
    for (const service of ['slack-kb-agent', 'postgres', 'redis'])
      expect(comment).toContain(`✅ compose service ${service}`);
    expect(comment).toContain("✅ the agent's image follows SLACK_KB_AGENT_TAG (/rollback)");
    expect(comment).toContain('✅ container slack-kb-redis running');
    expect(comment).toContain('✅ slack-kb-db on PATH (/backup, /restore)');
    expect(comment).toContain(
      `✅ Prometheus at PROMETHEUS_URL (${stack().prometheusUrl}) scrapes job slack-kb-agent`,
    );
    for (const alert of ['SlackKBAgentDown', 'HighErrorRate', 'HighResponseTime'])
      expect(comment).toContain(`✅ alert rule ${alert} loaded`);
    expect(comment).toContain('✅ SLACK_BOT_TOKEN set in the session (not shown)');
    expect(comment).toContain('The host has everything the built-in runbook needs.');
    expect(comment).not.toContain('❌');
    expect(comment).not.toContain(stack().apis.slackToken);

    await onStack(stack(), 'docker-compose stop redis 2>&1');
    try {
      const broken = await run('/doctor');
      // What the doctor finds wrong is a finding: headed first, the comment still 👍.
      expect(broken.outputs).toMatchObject({
        status: 'success',
        reason: 'findings',
        command: 'doctor',
        'exit-code': '1',
      });
      comment = lastComment();
      expect(comment).toContain('❌ container slack-kb-redis: exited');
      expect(comment).toContain('fix: docker-compose up -d (container_name: slack-kb-redis)');
      // The agent needs Redis: its own health check says so, and the doctor passes that on.
      expect(comment).toMatch(/❌ the agent at SLACK_KB_AGENT_URL answers HTTP 503: \{.*"redis": "(?!ok)/);
      expect(comment).toContain('fix: it runs but reports itself unhealthy: /diagnose app');
      expect(comment).toContain('2 problem(s): fix them before the first incident.');
    } finally {
      await onStack(stack(), 'docker-compose start redis 2>&1');
      await waitForHealthy(stack());
    }
  });
});

describe('diagnosis and reading', () => {
  test('/assess, /logs, /status and /diagnose app and db run their steps against the containers', async () => {
    await run('/assess');
    expect(lastComment()).toMatch(/slack-kb-agent\s+[\d.]+%/); // docker stats --no-stream
    await run('/logs slack-kb-postgres --lines 5');
    expect(lastComment()).toMatch(
      /^### 🔎 (Nothing unhealthy found|\d+ findings?): `\/logs service=slack-kb-postgres lines=5`/,
    );
    await run('/status');
    expect(lastComment()).toContain('✅ Key metrics: all 4 within their thresholds');
    expect(lastComment()).toContain('- ✅ Application up: 1 (healthy at least 1)');
    expect(lastComment()).toMatch(/slack_kb_agent_kb_documents \d+/);
    await run('/diagnose db');
    expect(lastComment()).toContain('Connection successful');
    expect(lastComment()).toContain('active_connections');
    await run('/diagnose app');
    expect(lastComment()).toContain('Mem:');
  });
});

describe('verification through Prometheus', () => {
  test("/resolve evaluates the runbook's PromQL and runs the smoke tests in the app image", async () => {
    await waitForHealthy(stack());
    const result = await run('/resolve the agent is healthy again', { timeoutMs: 240_000 });
    expect(result.outputs).toMatchObject({ status: 'success', command: 'resolve' });
    const thread = scenario.actionComments(issue).join('\n');
    expect(thread).toContain("PromQL over Prometheus's stored series");
    expect(thread).toContain('✅ Application up: 1 (healthy at least 1)');
    expect(thread).toMatch(/✅ Error rate: [\d.e-]+ errors\/s \(healthy at most 0\.1 errors\/s\)/);
    expect(thread).toMatch(/✅ Memory usage: [\d.e-]+ % \(healthy at most 90 %\)/);
    expect(thread).toContain('✅ Run smoke tests (exit 0)');
    expect(emulator.getIssue(issue)?.state).toBe('closed');
  });

  test('/resolve is refused while Prometheus sees a high error rate', async () => {
    await onStack(stack(), 'curl -fsS -X POST "$SLACK_KB_AGENT_URL/admin/fault?mode=errors"');
    await onStack(
      stack(),
      'for i in $(seq 60); do curl -s -o /dev/null "$SLACK_KB_AGENT_URL/query?q=x"; done',
    );
    const { prometheusUrl } = stack();
    // Wait for two scrapes that saw the errors.
    await onStack(
      stack(),
      `for i in $(seq 40); do curl -fsS --get --data-urlencode 'query=rate(slack_kb_agent_errors_total[5m]) > 0.1' ${prometheusUrl}/api/v1/query | grep -q '"value"' && exit 0; sleep 0.5; done; exit 1`,
    );
    try {
      // /status sees it too, as a finding: the command itself ran.
      const status = await run('/status');
      expect(status.outputs).toMatchObject({ status: 'success', command: 'status' });
      expect(lastComment()).toContain('⚠️ Key metrics: 1 of 4 outside their thresholds (Error rate)');
      const result = await run('/resolve', { timeoutMs: 240_000 });
      expect(result.outputs).toMatchObject({ status: 'failure' });
      expect(scenario.actionComments(issue).join('\n')).toMatch(
        /❌ Error rate: 0\.\d+ errors\/s \(healthy at most 0\.1 errors\/s\)/,
      );
      expect(emulator.getIssue(issue)?.state).toBe('open');
    } finally {
      await onStack(stack(), 'curl -fsS -X POST "$SLACK_KB_AGENT_URL/admin/fault?mode=clear"');
    }
  });
});

describe('loopback only', () => {
  test('no process of the stack or the suite is bound or connected outside 127.0.0.0/8 (ss -tanpu)', async () => {
    const state = stack();
    // Keep traffic going while we look: a scrape, an ssh session, a query.
    const busy = run('/health');
    const containers = (await docker('ps', '-q')).split('\n').filter(Boolean);
    const containerPids = await Promise.all(
      containers.map((id) => inspect(id, '{{.State.Pid}}').then(Number)),
    );
    const processes = await listProcesses();
    const roots = [
      process.pid,
      ...Object.values(state.pids).filter((pid): pid is number => pid !== undefined),
      ...containerPids,
    ];
    const ours = new Set(
      roots.flatMap((pid) => [pid, ...descendantsOf(pid, processes).map((info) => info.pid)]),
    );
    const { stdout } = await execFileAsync('ss', ['-tanpuH']);
    await busy;
    const sockets = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const fields = line.trim().split(/\s+/);
        const pids = [...line.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
        return { line, local: fields[4] ?? '', peer: fields[5] ?? '', pids };
      })
      .filter((socket) => socket.pids.some((pid) => ours.has(pid)));
    const loopback = (address: string) =>
      /^(127\.\d+\.\d+\.\d+|\[::ffff:127\.\d+\.\d+\.\d+\]|\[::1\]):(\d+|\*)$/.test(address);
    const wildcardPeer = (address: string) => /^(0\.0\.0\.0|\*|\[::\]):\*$/.test(address);
    const outside = sockets.filter(
      (socket) => !loopback(socket.local) || !(loopback(socket.peer) || wildcardPeer(socket.peer)),
    );
    expect(outside.map((socket) => socket.line)).toEqual([]);
    // The check saw the stack: sshd, the registry, Prometheus, the agent, PostgreSQL and Redis listen.
    const listening = new Set(
      sockets.filter((socket) => wildcardPeer(socket.peer)).map((socket) => socket.local),
    );
    for (const port of [
      state.sshPort,
      state.registryPort,
      state.prometheusPort,
      state.appPort,
      state.pgPort,
      state.redisPort,
    ])
      expect(listening).toContain(`127.0.0.1:${port}`);
  });
});
