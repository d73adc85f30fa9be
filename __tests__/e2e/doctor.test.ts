// Checking a host before the first incident, from a terminal: `incident-issueops run /doctor` (the
// bundled CLI, no GitHub) with the built-in runbook, on a host that is not ready for it. The
// stand-in host runs no docker-compose project and no Prometheus, and has no tokens: each missing
// part is named with its fix. (The ready VM, the real stack, is in __tests__/stack.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../harness/cli.ts';
import { useDeployHost } from '../../harness/deploy/for-tests.ts';

const host = useDeployHost();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  writeFileSync(join(dir, 'id'), host().privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'known_hosts'), `${host().knownHostsLine}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doctor() {
  return runCli(
    [
      ...['run', '/doctor', '--runbook', 'builtin', '--login', 'dana'],
      ...['--host', host().sshHost, '--port', String(host().sshPort), '--user', host().sshUser],
      ...['--key', join(dir, 'id'), '--known-hosts', join(dir, 'known_hosts')],
    ],
    { cwd: dir },
  );
}

test('/doctor on a host without the stack names every missing part and how to fix it', async () => {
  const result = await doctor();
  const output = result.stdout + result.stderr;
  expect(result.code).not.toBe(0);
  const user = host().sshUser;
  // docker's own words, on the same line.
  expect(output).toMatch(
    new RegExp(`❌ docker: the daemon cannot be reached as ${user}:\\s+\\S.*docker`, 'i'),
  );
  expect(output).toContain('fix: add the account to the docker group, or set DOCKER_HOST in its session');
  expect(output).toMatch(/❌ no docker-compose\.yml in \/\S+/);
  for (const container of ['slack-kb-agent', 'slack-kb-postgres', 'slack-kb-redis'])
    expect(output).toContain(`❌ container ${container}: not found`);
  // The stand-in host has a backup CLI of its own on the account's PATH.
  expect(output).toContain('✅ slack-kb-db on PATH (/backup, /restore)');
  expect(output).toContain('❌ nothing answers at SLACK_KB_AGENT_URL (http://127.0.0.1:9090)');
  expect(output).toContain(
    '❌ Prometheus at PROMETHEUS_URL (http://127.0.0.1:9091) does not scrape job slack-kb-agent successfully (up == 1)',
  );
  expect(output).toContain('❌ alert rule SlackKBAgentDown: not loaded in Prometheus');
  expect(output).toContain("❌ SLACK_BOT_TOKEN: not set in the account's environment");
  expect(output).toMatch(/\d+ problem\(s\): fix them before the first incident\./);
  // What holds is said too: the account can write its backups.
  expect(output).toContain(`✅ data/backups writable by ${user} (/backup)`);
});
