// The deploy host, driven the way the action will drive it: /usr/bin/ssh with a pinned host key
// and a generated client key, running the runbook's commands on a supervisord-run deployment.
// Each test leaves the host as it found it (healthy, current release, no fault), so the suite also
// runs against a shared host (DEPLOY_HOST_STATE).
import os from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { breakRelease } from '../../harness/deploy/host.ts';
import { SEEDED_ROW_COUNTS } from '../../harness/deploy/kb-home.ts';
import {
  closeControlMaster,
  readCommandLog,
  ssh,
  useDeployHost,
  type SshResult,
} from '../../harness/deploy/for-tests.ts';

const execFileAsync = promisify(execFile);
const host = useDeployHost();
const runId = `t${process.pid}x${Date.now().toString(36)}`;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'kb-deploy-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs a command that must succeed; the failure message carries everything ssh returned. */
async function remote(command: string): Promise<string> {
  const result = await ssh(host(), command);
  if (result.code !== 0) {
    throw new Error(`remote command failed (${result.code}): ${command}\n${result.stderr}\n${result.stdout}`);
  }
  return result.stdout;
}

interface Health {
  httpStatus: number;
  status: string;
  version: string;
  uptimeSeconds: number;
  checks: { postgres: string; redis: string };
  reason?: string;
}

const CURL_HEALTH = `curl -sS -w '\\n%{http_code}' "$KB_URL/health"`;

function parseHealth(output: string): Health {
  const lines = output.trimEnd().split('\n');
  const httpStatus = Number(lines.pop());
  return { httpStatus, ...(JSON.parse(lines.join('\n')) as Omit<Health, 'httpStatus'>) };
}

/** Restarts the app through supervisord and returns /health as seen right after. */
async function restartApp(): Promise<Health> {
  return parseHealth(await remote(`kbctl restart slack-kb-agent >/dev/null && ${CURL_HEALTH}`));
}

async function metricsText(): Promise<string> {
  return remote('curl -fsS "$KB_URL/metrics"');
}

function sample(metrics: string, name: string): number {
  const match = metrics.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  if (!match) throw new Error(`no sample ${name} in\n${metrics}`);
  return Number(match[1]);
}

function expectRefusedBySsh(result: SshResult, stderrPattern: RegExp): void {
  expect(result.code).toBe(255);
  expect(result.stderr).toMatch(stderrPattern);
  expect(result.stdout).toBe('');
}

async function loggedCommandsContaining(marker: string): Promise<string[]> {
  return (await readCommandLog(host()))
    .map((entry) => entry.command)
    .filter((command): command is string => command !== null && command.includes(marker));
}

describe('ssh access', () => {
  test('logs in with the generated key and pinned host key, with the SetEnv environment', async () => {
    const state = host();
    const output = await remote(
      'whoami; echo "$PATH"; echo "$KB_HOME|$PGHOST|$PGPORT|$PGUSER|$PGDATABASE|$REDIS_PORT|$KB_URL"',
    );
    const [whoami, pathVariable, environment] = output.trimEnd().split('\n');
    expect(whoami).toBe(state.sshUser);
    if (state.mode === 'root') expect(whoami).toBe('kbdeploy');
    // SetEnv replaces sshd's default PATH rather than adding to it.
    expect(pathVariable).toBe(`${state.kbHome}/bin:/usr/local/bin:/usr/bin:/bin`);
    expect(environment).toBe(
      [
        state.kbHome,
        '127.0.0.1',
        state.pgPort,
        state.pgUser,
        'slack_kb_agent',
        state.redisPort,
        state.kbUrl,
      ].join('|'),
    );
    expect(await readFile(state.logs.sshd, 'utf8')).toMatch(
      new RegExp(`Accepted publickey for ${state.sshUser} from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519`),
    );
  });

  test('refuses a host whose key does not match known_hosts, before running anything', async () => {
    const knownHostsPath = path.join(scratch, 'wrong_known_hosts');
    await writeFile(knownHostsPath, `${host().wrongKnownHostsLine}\n`);
    const marker = `wrong-host-key-${runId}`;
    const result = await ssh(host(), `echo ${marker}`, { knownHostsPath });
    expectRefusedBySsh(result, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    expect(await loggedCommandsContaining(marker)).toEqual([]);
  });

  test('refuses a client key that is not authorized', async () => {
    const identityPath = path.join(scratch, 'stranger_key');
    await execFileAsync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityPath], {
      timeout: 10_000,
    });
    const marker = `stranger-key-${runId}`;
    const result = await ssh(host(), `echo ${marker}`, { identityPath });
    expectRefusedBySsh(result, /Permission denied \(publickey\)/);
    expect(await loggedCommandsContaining(marker)).toEqual([]);
  });

  test('a session without a command is recorded and refused', async () => {
    const before = (await readCommandLog(host())).filter((entry) => entry.command === null).length;
    const result = await ssh(host(), undefined);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('interactive sessions are disabled');
    const after = (await readCommandLog(host())).filter((entry) => entry.command === null).length;
    expect(after).toBe(before + 1);
  });

  test('records a multi-line command as one entry holding the exact text', async () => {
    const marker = `multiline-${runId}`;
    const command = `echo "first ${marker}"\necho 'second "quoted" \\ ${marker}'`;
    expect(await remote(command)).toBe(`first ${marker}\nsecond "quoted" \\ ${marker}\n`);
    expect(await loggedCommandsContaining(marker)).toEqual([command]);
  });

  test('multiplexed over one ControlMaster connection, each command gets its own log line', async () => {
    const controlPath = path.join(scratch, 'cm');
    const marker = `mux-${runId}`;
    const commands = [1, 2, 3].map((n) => `echo "$SSH_CONNECTION" # ${marker} ${n}`);
    try {
      const connections: string[] = [];
      for (const command of commands) {
        const result = await ssh(host(), command, { controlPath });
        expect(result.code).toBe(0);
        connections.push(result.stdout.trim());
      }
      // The same client port each time: all three channels rode one TCP connection.
      expect(new Set(connections).size).toBe(1);
    } finally {
      await closeControlMaster(host(), controlPath);
    }
    expect(await loggedCommandsContaining(marker)).toEqual(commands);
  });
});

describe('the Slack KB Agent deployment', () => {
  test('/health over ssh reports the current release and healthy dependencies', async () => {
    const health = parseHealth(await remote(CURL_HEALTH));
    expect(health).toMatchObject({
      httpStatus: 200,
      status: 'ok',
      version: host().currentRelease,
      checks: { postgres: 'ok', redis: 'ok' },
    });
  });

  test('/metrics exposes the runbook metrics, and synthetic traffic moves them', async () => {
    const first = await metricsText();
    const types: Record<string, string> = {
      up: 'gauge',
      slack_kb_agent_errors_total: 'counter',
      slack_kb_agent_requests_total: 'counter',
      slack_kb_agent_error_rate: 'gauge',
      slack_kb_agent_query_duration_seconds: 'histogram',
      slack_kb_agent_response_time_p95_seconds: 'gauge',
      slack_kb_agent_memory_usage_bytes: 'gauge',
      slack_kb_agent_memory_limit_bytes: 'gauge',
      kb_documents: 'gauge',
      slack_messages_processed_total: 'counter',
      slack_api_rate_limit_remaining: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) {
      expect(first).toContain(`# HELP ${name} `);
      expect(first).toContain(`# TYPE ${name} ${type}\n`);
    }
    expect(sample(first, 'up')).toBe(1);
    expect(sample(first, 'kb_documents')).toBe(SEEDED_ROW_COUNTS.documents);
    expect(sample(first, 'slack_kb_agent_memory_usage_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(first).toMatch(/^slack_kb_agent_query_duration_seconds_bucket\{le="0\.1"\} \d+$/m);
    const count = sample(first, 'slack_kb_agent_query_duration_seconds_count');
    expect(sample(first, 'slack_kb_agent_query_duration_seconds_bucket\\{le="\\+Inf"\\}')).toBe(count);

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const second = await metricsText();
    expect(sample(second, 'slack_kb_agent_requests_total')).toBeGreaterThan(
      sample(first, 'slack_kb_agent_requests_total'),
    );
    expect(sample(second, 'slack_messages_processed_total')).toBeGreaterThan(
      sample(first, 'slack_messages_processed_total'),
    );
  });

  test('kbctl restart gives the app a new pid and it comes back healthy', async () => {
    const before = Number(await remote('kbctl pid slack-kb-agent'));
    const health = await restartApp();
    const after = Number(await remote('kbctl pid slack-kb-agent'));
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
    expect(health.httpStatus).toBe(200);
    expect(health.uptimeSeconds).toBeLessThan(5);
  });

  test('PostgreSQL and Redis answer the runbook commands', async () => {
    const output = await remote(
      'pg_isready && psql -XAt -c \'select count(*) from documents\' && redis-cli -p "$REDIS_PORT" ping',
    );
    expect(output).toBe(
      `127.0.0.1:${host().pgPort} - accepting connections\n${SEEDED_ROW_COUNTS.documents}\nPONG\n`,
    );
  });

  test('an injected unhealthy fault makes /health 503 until a restart; the host logged each command', async () => {
    const tag = `# fault-${runId}`;
    const commands = [
      `curl -fsS -X POST "$KB_URL/admin/fault?mode=unhealthy" ${tag}`,
      `${CURL_HEALTH} ${tag}`,
      `kbctl restart slack-kb-agent ${tag}`,
      `${CURL_HEALTH} ${tag}`,
    ];
    const fault = JSON.parse(await remote(commands[0] as string)) as { faults: { unhealthy: boolean } };
    expect(fault.faults.unhealthy).toBe(true);
    const during = parseHealth(await remote(commands[1] as string));
    expect(during).toMatchObject({
      httpStatus: 503,
      status: 'unhealthy',
      reason: 'injected fault: unhealthy',
    });
    expect(await remote(commands[2] as string)).toContain('slack-kb-agent: started');
    expect(parseHealth(await remote(commands[3] as string))).toMatchObject({ httpStatus: 200, status: 'ok' });
    expect(await loggedCommandsContaining(tag)).toEqual(commands);
  });

  test('an injected error fault raises the error rate and writes ERROR lines to the app log', async () => {
    try {
      await remote('curl -fsS -X POST "$KB_URL/admin/fault?mode=errors"');
      const metrics = await metricsText();
      expect(sample(metrics, 'slack_kb_agent_errors_total')).toBeGreaterThanOrEqual(30);
      expect(sample(metrics, 'slack_kb_agent_error_rate')).toBeGreaterThan(0.1); // HighErrorRate threshold
      const errorLines = await remote(
        'grep ERROR "$KB_HOME/logs/slack-kb-agent.log" | grep -c "injected fault: errors"',
      );
      expect(Number(errorLines)).toBeGreaterThanOrEqual(30);
    } finally {
      await restartApp();
    }
    expect(sample(await metricsText(), 'slack_kb_agent_errors_total')).toBe(0);
  });

  test('an injected memory fault grows the real resident memory', async () => {
    try {
      const before = sample(await metricsText(), 'slack_kb_agent_memory_usage_bytes');
      await remote('curl -fsS -X POST "$KB_URL/admin/fault?mode=memory&steps=2"');
      const after = sample(await metricsText(), 'slack_kb_agent_memory_usage_bytes');
      expect(after - before).toBeGreaterThan(90 * 1024 * 1024);
      const pid = (await remote('kbctl pid slack-kb-agent')).trim();
      const rssKiB = Number(await remote(`ps -o rss= -p ${pid}`));
      expect(rssKiB * 1024).toBeGreaterThan(before + 90 * 1024 * 1024);
    } finally {
      await restartApp();
    }
  });

  test('a release shipped BROKEN starts but reports 503 with the reason', async () => {
    const current = host().currentRelease;
    await breakRelease(host(), current, 'migration 0042 was never applied');
    try {
      expect(await restartApp()).toMatchObject({
        httpStatus: 503,
        version: current,
        reason: `release ${current} is broken: migration 0042 was never applied`,
      });
    } finally {
      await remote(`rm "$KB_HOME/releases/${current}/BROKEN"`);
    }
    expect(await restartApp()).toMatchObject({ httpStatus: 200, version: current });
  });

  test('rolling back by symlink and restart serves v1.1.0', async () => {
    const current = host().currentRelease;
    try {
      const health = parseHealth(
        await remote(
          `cd "$KB_HOME" && ln -sfn releases/v1.1.0 current && kbctl restart slack-kb-agent >/dev/null && ${CURL_HEALTH}`,
        ),
      );
      expect(health).toMatchObject({ httpStatus: 200, version: 'v1.1.0' });
      expect(await remote('readlink "$KB_HOME/current"')).toBe('releases/v1.1.0\n');
    } finally {
      await remote(`cd "$KB_HOME" && ln -sfn releases/${current} current`);
    }
    expect(await restartApp()).toMatchObject({ httpStatus: 200, version: current });
  });
});

describe('slack-kb-db', () => {
  test('a backup restored into a fresh database has identical row counts', async () => {
    const backup = `data/backups/${runId}.sql.gz`;
    const report = Object.fromEntries(
      (await remote(`slack-kb-db backup ${backup}`))
        .trimEnd()
        .split('\n')
        .map((line) => line.split(' ', 2) as [string, string]),
    );
    expect(report.path).toBe(`${host().kbHome}/${backup}`);
    expect(Number(report.bytes)).toBeGreaterThan(1000);
    expect(await remote(`sha256sum "${report.path}" | cut -d ' ' -f 1`)).toBe(`${report.sha256}\n`);

    const database = `restore_${runId}`;
    try {
      const restored = await remote(`slack-kb-db restore ${backup} --database ${database}`);
      const original = await remote('slack-kb-db counts');
      expect(original).toBe(
        `documents ${SEEDED_ROW_COUNTS.documents}\nmessages ${SEEDED_ROW_COUNTS.messages}\nusers ${SEEDED_ROW_COUNTS.users}\n`,
      );
      expect(restored).toBe(`restored ${report.path} into ${database}\n${original}`);
      expect(await remote(`slack-kb-db counts --database ${database}`)).toBe(original);
    } finally {
      await remote(`dropdb --if-exists ${database}; rm -f "$KB_HOME/${backup}"`);
    }
  });

  test('refuses backup paths outside $KB_HOME/data, symlinks included', async () => {
    const outside = await ssh(host(), 'slack-kb-db backup /tmp/escaped.sql.gz');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('backup files must live under');
    const viaSymlink = await ssh(
      host(),
      `ln -sfn /tmp "$KB_HOME/data/link-${runId}" && slack-kb-db backup data/link-${runId}/escaped.sql.gz; code=$?; rm "$KB_HOME/data/link-${runId}"; exit $code`,
    );
    expect(viaSymlink.code).toBe(2);
    expect(viaSymlink.stderr).toContain('resolves to /tmp/escaped.sql.gz');
    expect(await remote('ls /tmp/escaped.sql.gz 2>/dev/null || echo absent')).toBe('absent\n');
  });
});
