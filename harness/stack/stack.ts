// The Slack KB Agent's real stack for tests and the demo: the seed's docker-compose project (the
// agent, PostgreSQL 15 and Redis) on a dockerd of its own, a local registry that dockerd uses as its
// mirror (so that `docker pull slack-kb-agent:<tag>` works as written), Prometheus scraping the
// agent with the runbook's alert rules, and OpenSSH in front of the deploy account, whose login
// directory holds the compose project. Everything listens on 127.0.0.1 only.
//
//   node harness/stack/stack.ts up <stateFile>     start everything detached, write the JSON state
//   node harness/stack/stack.ts down <stateFile>   stop everything, verify nothing is left, clean up
//
// Needs root (dockerd) and Debian's docker.io, docker-compose, docker-registry, mmdebstrap and
// prometheus (scripts/setup.sh --stack installs them). Images are built from Debian packages only:
// a base rootfs from mmdebstrap, imported, then `docker build` on it. What took time is cached in
// KB_STACK_CACHE (default /var/cache/incident-issueops/stack), keyed on what built it: the rootfs
// tarball on its package list, the images in dockerd's data-root on their build context.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeployUser, type DeployUser } from '../deploy/deploy-user.ts';
import { pickFreePorts } from '../deploy/ports.ts';
import {
  describeProcess,
  descendantsOf,
  isAlive,
  listProcesses,
  readPidFile,
  run,
  runChecked,
  signal,
  tail,
  waitFor,
  waitForExit,
} from '../deploy/processes.ts';
import {
  generateKey,
  knownHostsLine,
  readSshBanner,
  renderSshdConfig,
  sshdLayout,
  startSshd,
} from '../deploy/sshd.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const IMAGES = path.join(here, 'images');
export const PROMETHEUS_RULES = path.join(here, '..', '..', 'examples', 'prometheus', 'alert_rules.yml');

/** The deploy account of the stack; its login directory is the compose project. */
export const STACK_USER = 'kbstack';
/** Debian's packages inside every image (one base for the three: one mmdebstrap, one cache entry). */
const BASE_PACKAGES = [
  'python3',
  'python3-psycopg2',
  'python3-redis',
  'python3-psutil',
  'python3-prometheus-client',
  'python3-pytest',
  'curl',
  'postgresql-15',
  'redis-server',
  'redis-tools',
];
const SUITE = 'bookworm';
/** The agent's releases: `latest` is the current one; one release is broken (starts, /health 503). */
export const RELEASES = [
  { tag: 'v1.4.1' },
  { tag: 'v1.4.2' },
  { tag: 'v1.5.0', broken: 'database migration 0042 failed: column documents.embedding does not exist' },
] as const;
export const CURRENT_RELEASE = 'v1.4.2';
export const BROKEN_RELEASE = 'v1.5.0';
export const TABLE_ROWS = { users: 25, documents: 300, messages: 1200 };

export interface StackState {
  runDir: string;
  cacheDir: string;
  dockerHost: string;
  sshHost: '127.0.0.1';
  sshPort: number;
  sshUser: string;
  deployUid: number;
  deployGid: number;
  /** the deploy account's login directory: the compose project */
  projectDir: string;
  privateKeyPath: string;
  privateKey: string;
  knownHostsPath: string;
  knownHostsLine: string;
  appPort: number;
  appUrl: string;
  pgPort: number;
  redisPort: number;
  registryPort: number;
  prometheusPort: number;
  prometheusUrl: string;
  /** Alertmanager, fed by Prometheus, sending to the relay's port (nothing listens there until a test starts the relay) */
  alertmanagerUrl: string;
  relayPort: number;
  /** the shared secret Alertmanager sends the relay as a bearer token */
  relaySecretPath: string;
  /** what every ssh session gets (sshd's SetEnv): the account's environment on a real VM */
  sessionEnvironment: Record<string, string>;
  /** Slack's and OpenAI's APIs: the session points at these ports, where tests start stand-ins */
  apis: { slackPort: number; openaiPort: number; slackToken: string; openaiKey: string };
  releases: string[];
  currentRelease: string;
  pids: { dockerd?: number; registry?: number; prometheus?: number; alertmanager?: number; sshd?: number };
  logs: { dockerd: string; registry: string; prometheus: string; alertmanager: string; sshd: string };
  /** how long each phase of the start took, for the README's figures */
  timings: Record<string, number>;
}

function layout(runDir: string) {
  return {
    ssh: sshdLayout(path.join(runDir, 'ssh')),
    clientDir: path.join(runDir, 'client'),
    docker: {
      config: path.join(runDir, 'docker', 'daemon.json'),
      execRoot: path.join(runDir, 'docker', 'exec'),
      pidFile: path.join(runDir, 'docker', 'dockerd.pid'),
      socket: path.join(runDir, 'docker', 'docker.sock'),
      log: path.join(runDir, 'docker', 'dockerd.log'),
    },
    registry: { config: path.join(runDir, 'registry.yml'), log: path.join(runDir, 'registry.log') },
    prometheus: {
      config: path.join(runDir, 'prometheus', 'prometheus.yml'),
      data: path.join(runDir, 'prometheus', 'data'),
      log: path.join(runDir, 'prometheus', 'prometheus.log'),
    },
    alertmanager: {
      config: path.join(runDir, 'alertmanager', 'alertmanager.yml'),
      data: path.join(runDir, 'alertmanager', 'data'),
      secret: path.join(runDir, 'alertmanager', 'relay-secret'),
      log: path.join(runDir, 'alertmanager', 'alertmanager.log'),
    },
  };
}

function cacheLayout(cacheDir: string) {
  return {
    dataRoot: path.join(cacheDir, 'docker'),
    registry: path.join(cacheDir, 'registry'),
    lock: path.join(cacheDir, 'in-use.pid'),
  };
}

export function defaultCacheDir(): string {
  return process.env.KB_STACK_CACHE ?? '/var/cache/incident-issueops/stack';
}

const REQUIRED_PROGRAMS = [
  '/usr/sbin/dockerd',
  '/usr/bin/docker',
  '/usr/bin/docker-compose',
  '/usr/bin/docker-registry',
  '/usr/bin/mmdebstrap',
  '/usr/bin/prometheus',
  '/usr/bin/prometheus-alertmanager',
  '/usr/sbin/sshd',
];

/** Why the stack cannot start on this machine, or undefined when it can. */
export function stackUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the stack needs root (dockerd runs as root)';
  const missing = REQUIRED_PROGRAMS.filter((program) => !existsSync(program));
  return missing.length > 0
    ? `missing ${missing.join(', ')}: run \`bash scripts/setup.sh --stack\` (Debian's docker.io, docker-compose, docker-registry, mmdebstrap, prometheus, prometheus-alertmanager)`
    : undefined;
}

/** Starts a program that stays in the foreground, detached from us, its output in `logFile`. */
async function spawnDetached(
  file: string,
  args: readonly string[],
  logFile: string,
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string } = {},
): Promise<number> {
  const output = await open(logFile, 'a');
  try {
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', output.fd, output.fd],
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      cwd: options.cwd,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    return pid;
  } finally {
    await output.close();
  }
}

function httpGet(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

async function sha256OfTree(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (current: string) => {
    for (const entry of (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '__pycache__' || entry.name === '.pytest_cache') continue;
        await walk(full);
      } else {
        hash.update(`${path.relative(dir, full)}\0${(await stat(full)).mode & 0o111 ? 'x' : '-'}\0`);
        hash.update(await readFile(full));
      }
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

/** One lock per cache: a data-root serves one dockerd at a time. */
async function takeCacheLock(lockFile: string): Promise<void> {
  const holder = await readPidFile(lockFile);
  if (holder !== undefined && holder !== process.pid && (await isAlive(holder))) {
    throw new Error(
      `the stack cache ${path.dirname(lockFile)} is in use by process ${holder} (another stack is up); ` +
        'stop it, or give this one another KB_STACK_CACHE',
    );
  }
  await writeFile(lockFile, `${process.pid}\n`);
}

type Docker = (args: string[], options?: { timeoutMs?: number; input?: string }) => Promise<string>;

function dockerClient(socket: string): Docker {
  return async (args, options = {}) =>
    (
      await runChecked('/usr/bin/docker', args, {
        env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0' },
        timeoutMs: options.timeoutMs ?? 120_000,
        input: options.input,
      })
    ).stdout.trim();
}

async function imageExists(docker: Docker, reference: string): Promise<boolean> {
  return docker(['image', 'inspect', '--format', '{{.Id}}', reference]).then(
    () => true,
    () => false,
  );
}

/** The Debian base image: mmdebstrap's rootfs (cached as a tarball), imported. */
async function ensureBaseImage(docker: Docker, cacheDir: string, timings: Record<string, number>) {
  const key = createHash('sha256')
    .update(`${SUITE}\n${BASE_PACKAGES.join('\n')}`)
    .digest('hex')
    .slice(0, 12);
  const reference = `kb-base:${key}`;
  if (await imageExists(docker, reference)) return reference;
  const tarball = path.join(cacheDir, `rootfs-${key}.tar`);
  if (!existsSync(tarball)) {
    const started = performance.now();
    const partial = `${tarball}.partial`;
    await rm(partial, { force: true, recursive: true });
    await runChecked(
      '/usr/bin/mmdebstrap',
      // --format: mmdebstrap otherwise picks the format from the name, and `.partial` is none.
      ['--quiet', '--variant=apt', '--format=tar', `--include=${BASE_PACKAGES.join(',')}`, SUITE, partial],
      { timeoutMs: 20 * 60_000 },
    );
    await runChecked('/usr/bin/mv', [partial, tarball]);
    timings.mmdebstrap = Math.round(performance.now() - started);
  }
  const started = performance.now();
  await docker(['import', tarball, reference], { timeoutMs: 10 * 60_000 });
  timings.import = Math.round(performance.now() - started);
  return reference;
}

/** Builds an image unless one built from the same base and context exists; returns its reference. */
async function ensureImage(
  docker: Docker,
  name: string,
  context: string,
  base: string,
  buildArgs: Record<string, string> = {},
): Promise<string> {
  const key = createHash('sha256')
    .update(`${base}\n${await sha256OfTree(context)}\n${JSON.stringify(buildArgs)}`)
    .digest('hex')
    .slice(0, 12);
  const reference = `kb-build/${name}:${key}`;
  if (!(await imageExists(docker, reference))) {
    const args = Object.entries({ BASE: base, ...buildArgs }).flatMap(([k, v]) => [
      '--build-arg',
      `${k}=${v}`,
    ]);
    await docker(['build', '-q', ...args, '-t', reference, context], { timeoutMs: 10 * 60_000 });
  }
  return reference;
}

/** The compose project, as the seed's README describes it (see the README's "What a VM needs"). */
export function composeFile(): string {
  return `# The Slack KB Agent's deployment. Containers use the host's network and bind 127.0.0.1;
# ports and the agent's release come from .env (SLACK_KB_AGENT_TAG: the image tag /rollback sets).
version: "3.8"
services:
  slack-kb-agent:
    image: slack-kb-agent:\${SLACK_KB_AGENT_TAG:-latest}
    container_name: slack-kb-agent
    network_mode: host
    user: "\${KB_UID}:\${KB_GID}"
    restart: unless-stopped
    environment:
      SLACK_KB_PORT: \${SLACK_KB_AGENT_PORT}
      DATABASE_URL: postgresql://postgres:postgres@127.0.0.1:\${POSTGRES_PORT}/slack_kb_agent
      REDIS_URL: redis://127.0.0.1:\${REDIS_PORT}/0
      LLM_ENABLED: \${LLM_ENABLED:-true}
      VECTOR_SEARCH_ENABLED: \${VECTOR_SEARCH_ENABLED:-true}
    volumes:
      - ./data:/app/data
    depends_on: [postgres, redis]
  postgres:
    image: slack-kb-postgres:15
    container_name: slack-kb-postgres
    network_mode: host
    restart: unless-stopped
    environment:
      PGPORT: \${POSTGRES_PORT}
      POSTGRES_PASSWORD: postgres
    volumes:
      - postgres-data:/var/lib/postgresql/data
  redis:
    image: slack-kb-redis:7
    container_name: slack-kb-redis
    network_mode: host
    restart: unless-stopped
    environment:
      REDIS_PORT: \${REDIS_PORT}
volumes:
  postgres-data:
    name: slack-kb-postgres-data
`;
}

/** `slack-kb-db` on the VM: the agent image's own CLI, run in its container (./data is /app/data). */
const SLACK_KB_DB_WRAPPER = `#!/bin/sh
# slack-kb-db on the VM runs the agent image's CLI in its container, in /app, where ./data is mounted.
exec docker exec -i -w /app slack-kb-agent slack-kb-db "$@"
`;

function prometheusConfig(appPort: number, alertmanagerPort: number): string {
  return `global:
  scrape_interval: 2s
  evaluation_interval: 2s
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${alertmanagerPort}']
rule_files:
  - ${PROMETHEUS_RULES}
scrape_configs:
  - job_name: slack-kb-agent
    static_configs:
      - targets: ['127.0.0.1:${appPort}']
`;
}

/**
 * Alertmanager as the README configures it for the relay, with test-speed timers (a real one
 * waits minutes): grouped by alert name, resolved notifications sent, a bounded body.
 */
function alertmanagerConfig(relayPort: number, secretFile: string): string {
  return `route:
  receiver: incident-issueops
  group_by: [alertname]
  group_wait: 1s
  group_interval: 3s
  repeat_interval: 6s
receivers:
  - name: incident-issueops
    webhook_configs:
      - url: http://127.0.0.1:${relayPort}/alertmanager
        send_resolved: true
        max_alerts: 20
        http_config:
          authorization:
            type: Bearer
            credentials_file: ${secretFile}
`;
}

async function writeOwned(file: string, text: string, user: DeployUser, mode = 0o644): Promise<void> {
  await writeFile(file, text, { mode });
  await chown(file, user.uid, user.gid);
}

/** Runs a command as the deploy account in its project, as an ssh session would. */
export function asDeployUser(state: StackState, command: string, timeoutMs = 120_000) {
  return run('/bin/bash', ['-c', command], {
    uid: state.deployUid,
    gid: state.deployGid,
    cwd: state.projectDir,
    env: { ...state.sessionEnvironment, HOME: state.projectDir },
    timeoutMs,
  });
}

export async function startStack(options: { cacheDir?: string } = {}): Promise<StackState> {
  const unavailable = stackUnavailable();
  if (unavailable) throw new Error(unavailable);
  const started = performance.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string, since: number) => (timings[phase] = Math.round(performance.now() - since));
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const cache = cacheLayout(cacheDir);
  await mkdir(cache.dataRoot, { recursive: true });
  await mkdir(cache.registry, { recursive: true });
  await takeCacheLock(cache.lock);
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'kb-stack-'));
  await chmod(runDir, 0o755);
  const files = layout(runDir);
  const user = await ensureDeployUser(STACK_USER);
  const ports = await pickFreePorts([
    'ssh',
    'app',
    'pg',
    'redis',
    'registry',
    'prometheus',
    'alertmanager',
    'relay',
    'slackApi',
    'openaiApi',
  ] as const);
  const slackToken = `xoxb-${randomBytes(12).toString('hex')}`;
  const openaiKey = `sk-${randomBytes(16).toString('hex')}`;
  const projectDir = user.home;
  const state: StackState = {
    runDir,
    cacheDir,
    dockerHost: `unix://${files.docker.socket}`,
    sshHost: '127.0.0.1',
    sshPort: ports.ssh,
    sshUser: user.name,
    deployUid: user.uid,
    deployGid: user.gid,
    projectDir,
    privateKeyPath: path.join(files.clientDir, 'id_ed25519'),
    privateKey: '',
    knownHostsPath: path.join(files.clientDir, 'known_hosts'),
    knownHostsLine: '',
    appPort: ports.app,
    appUrl: `http://127.0.0.1:${ports.app}`,
    pgPort: ports.pg,
    redisPort: ports.redis,
    registryPort: ports.registry,
    prometheusPort: ports.prometheus,
    prometheusUrl: `http://127.0.0.1:${ports.prometheus}`,
    alertmanagerUrl: `http://127.0.0.1:${ports.alertmanager}`,
    relayPort: ports.relay,
    relaySecretPath: files.alertmanager.secret,
    sessionEnvironment: {
      PATH: `${projectDir}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      DOCKER_HOST: `unix://${files.docker.socket}`,
      SLACK_KB_AGENT_URL: `http://127.0.0.1:${ports.app}`,
      PROMETHEUS_URL: `http://127.0.0.1:${ports.prometheus}`,
      ALERTMANAGER_URL: `http://127.0.0.1:${ports.alertmanager}`,
      SLACK_API_URL: `http://127.0.0.1:${ports.slackApi}/api`,
      OPENAI_API_URL: `http://127.0.0.1:${ports.openaiApi}/v1`,
      SLACK_BOT_TOKEN: slackToken,
      OPENAI_API_KEY: openaiKey,
    },
    apis: { slackPort: ports.slackApi, openaiPort: ports.openaiApi, slackToken, openaiKey },
    releases: RELEASES.map((release) => release.tag),
    currentRelease: CURRENT_RELEASE,
    pids: {},
    logs: {
      dockerd: files.docker.log,
      registry: files.registry.log,
      prometheus: files.prometheus.log,
      alertmanager: files.alertmanager.log,
      sshd: files.ssh.logPath,
    },
    timings,
  };
  try {
    for (const dir of [
      files.ssh.dir,
      files.clientDir,
      path.dirname(files.docker.config),
      files.prometheus.data,
      files.alertmanager.data,
    ])
      await mkdir(dir, { recursive: true, mode: 0o755 });
    await chmod(files.clientDir, 0o700);

    // The registry (Debian's docker-registry), on loopback, its storage in the cache.
    let since = performance.now();
    await writeFile(
      files.registry.config,
      `version: 0.1
log: { level: warn, accesslog: { disabled: true } }
storage: { filesystem: { rootdirectory: ${cache.registry} }, delete: { enabled: true } }
http: { addr: 127.0.0.1:${ports.registry} }
`,
    );
    state.pids.registry = await spawnDetached(
      '/usr/bin/docker-registry',
      ['serve', files.registry.config],
      files.registry.log,
    );
    await waitFor('docker-registry', () => httpGet(`http://127.0.0.1:${ports.registry}/v2/`), {
      timeoutMs: 30_000,
    });

    // dockerd: no bridge, no iptables, no forwarding; its own roots, pid file and socket.
    await writeFile(
      files.docker.config,
      JSON.stringify(
        {
          bridge: 'none',
          iptables: false,
          ip6tables: false,
          'ip-forward': false,
          'ip-masq': false,
          'data-root': cache.dataRoot,
          'exec-root': files.docker.execRoot,
          pidfile: files.docker.pidFile,
          hosts: [`unix://${files.docker.socket}`],
          group: user.name,
          'registry-mirrors': [`http://127.0.0.1:${ports.registry}`],
          'insecure-registries': [`127.0.0.1:${ports.registry}`],
          'storage-driver': 'overlay2',
          'log-driver': 'json-file',
          'log-opts': { 'max-size': '10m' },
        },
        null,
        2,
      ),
    );
    state.pids.dockerd = await spawnDetached(
      '/usr/sbin/dockerd',
      ['--config-file', files.docker.config],
      files.docker.log,
    );
    const docker = dockerClient(files.docker.socket);
    await waitFor(
      'dockerd',
      () => docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5_000 }),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    mark('daemons', since);

    // A previous run's containers and volumes (the data-root is kept for its images) go.
    since = performance.now();
    const leftovers = await docker(['ps', '-aq']);
    if (leftovers) await docker(['rm', '-f', '-v', ...leftovers.split('\n')]);
    const volumes = await docker(['volume', 'ls', '-q']);
    if (volumes) await docker(['volume', 'rm', '-f', ...volumes.split('\n')]);

    const base = await ensureBaseImage(docker, cacheDir, timings);
    mark('base image', since);
    since = performance.now();
    const postgres = await ensureImage(docker, 'slack-kb-postgres', path.join(IMAGES, 'postgres'), base);
    const redis = await ensureImage(docker, 'slack-kb-redis', path.join(IMAGES, 'redis'), base);
    await docker(['tag', postgres, 'slack-kb-postgres:15']);
    await docker(['tag', redis, 'slack-kb-redis:7']);
    for (const release of RELEASES) {
      const built = await ensureImage(docker, 'slack-kb-agent', path.join(IMAGES, 'slack-kb-agent'), base, {
        RELEASE: release.tag,
        BROKEN: 'broken' in release ? release.broken : '',
      });
      const tags = release.tag === CURRENT_RELEASE ? [release.tag, 'latest'] : [release.tag];
      for (const tag of tags) {
        const pushed = `127.0.0.1:${ports.registry}/library/slack-kb-agent:${tag}`;
        await docker(['tag', built, pushed]);
        await docker(['push', '-q', pushed], { timeoutMs: 5 * 60_000 });
        await docker(['rmi', pushed]);
      }
    }
    // What the deployment runs must come through the registry, as on a VM: no local agent tags.
    const local = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'slack-kb-agent']);
    if (local) await docker(['rmi', ...local.split('\n')]);
    mark('images', since);

    // The deploy account's login directory is the compose project.
    since = performance.now();
    for (const entry of await readdir(projectDir))
      await rm(path.join(projectDir, entry), { recursive: true, force: true });
    for (const dir of ['bin', 'data', 'data/backups', '.ssh']) {
      await mkdir(path.join(projectDir, dir), { recursive: true, mode: 0o755 });
      await chown(path.join(projectDir, dir), user.uid, user.gid);
    }
    await writeOwned(path.join(projectDir, 'docker-compose.yml'), composeFile(), user);
    await writeOwned(
      path.join(projectDir, '.env'),
      [
        `SLACK_KB_AGENT_PORT=${ports.app}`,
        `POSTGRES_PORT=${ports.pg}`,
        `REDIS_PORT=${ports.redis}`,
        `KB_UID=${user.uid}`,
        `KB_GID=${user.gid}`,
        '',
      ].join('\n'),
      user,
    );
    await writeOwned(path.join(projectDir, 'bin', 'slack-kb-db'), SLACK_KB_DB_WRAPPER, user, 0o755);

    // sshd in front of the account.
    const [hostKey, clientKey] = await Promise.all([
      generateKey(files.ssh.hostKeyPath, `kb-stack-host@${runDir}`),
      generateKey(state.privateKeyPath, `kb-stack-client@${runDir}`),
    ]);
    state.knownHostsLine = knownHostsLine(ports.ssh, hostKey);
    state.privateKey = await readFile(state.privateKeyPath, 'utf8');
    await writeFile(state.knownHostsPath, `${state.knownHostsLine}\n`, { mode: 0o644 });
    await writeFile(files.ssh.authorizedKeysPath, `${clientKey}\n`, { mode: 0o644 });
    const commandLog = path.join(runDir, 'commands.log');
    await writeOwned(commandLog, '', user);
    await writeFile(
      files.ssh.configPath,
      renderSshdConfig(files.ssh, {
        port: ports.ssh,
        user,
        environment: state.sessionEnvironment,
        commandLogPath: commandLog,
      }),
      { mode: 0o600 },
    );
    await writeFile(
      files.ssh.wrapperPath,
      await readFile(path.join(here, '..', 'deploy', 'host-files', 'session-wrapper')),
      { mode: 0o755 },
    );
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    state.pids.sshd = await startSshd(files.ssh);
    await waitFor('sshd', () => readSshBanner(ports.ssh), { timeoutMs: 10_000 });

    await deploy(state);
    mark('deployment', since);

    // Prometheus, scraping the agent with the runbook's alert rules.
    since = performance.now();
    // Alertmanager first, so that Prometheus has somewhere to send from its first evaluation.
    await writeFile(files.alertmanager.secret, randomBytes(24).toString('hex'), { mode: 0o600 });
    await writeFile(files.alertmanager.config, alertmanagerConfig(ports.relay, files.alertmanager.secret));
    state.pids.alertmanager = await spawnDetached(
      '/usr/bin/prometheus-alertmanager',
      [
        `--config.file=${files.alertmanager.config}`,
        `--storage.path=${files.alertmanager.data}`,
        `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
        '--cluster.listen-address=', // no gossip: loopback only
      ],
      files.alertmanager.log,
    );
    await waitFor(
      'alertmanager',
      () => httpGet(`${state.alertmanagerUrl}/api/v2/status`).then(() => undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 300,
      },
    );
    await writeFile(files.prometheus.config, prometheusConfig(ports.app, ports.alertmanager));
    state.pids.prometheus = await spawnDetached(
      '/usr/bin/prometheus',
      [
        `--config.file=${files.prometheus.config}`,
        `--storage.tsdb.path=${files.prometheus.data}`,
        `--web.listen-address=127.0.0.1:${ports.prometheus}`,
        '--storage.tsdb.retention.time=2h',
        '--web.enable-admin-api', // resetStack deletes the series of an earlier test run
        '--rules.alert.resend-delay=2s', // test speed: a firing alert reaches Alertmanager again soon
      ],
      files.prometheus.log,
    );
    await waitFor(
      'prometheus scraping the agent',
      async () => {
        const { body } = await httpGet(`${state.prometheusUrl}/api/v1/query?query=up`);
        if (!body.includes('"slack-kb-agent"') || !/"value":\[[^\]]*,"1"\]/.test(body))
          throw new Error(`up is not 1 yet: ${body.slice(0, 200)}`);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    mark('prometheus', since);
    timings.total = Math.round(performance.now() - started);
    return state;
  } catch (error) {
    const logs = await Promise.all(
      Object.entries(state.logs).map(async ([name, file]) => `--- ${name}\n${await tail(file, 15)}`),
    );
    const cleanup = await stopStack(state).then(
      () => 'cleaned up',
      (stopError: Error) => `cleanup failed too: ${stopError.message}`,
    );
    throw new Error(`stack failed to start (${cleanup}): ${(error as Error).message}\n${logs.join('\n')}`, {
      cause: error,
    });
  }
}

/** The deployment, as its account brings it up; then the demo rows, once. */
async function deploy(state: StackState): Promise<void> {
  const docker = stackDocker(state);
  const up = await asDeployUser(state, 'docker-compose up -d 2>&1', 5 * 60_000);
  if (up.code !== 0) throw new Error(`docker-compose up -d exited ${up.code}:\n${up.stdout}`);
  await waitFor(
    'slack-kb-postgres',
    () =>
      docker(['exec', 'slack-kb-postgres', 'pg_isready', '-q', '-d', 'slack_kb_agent'], { timeoutMs: 5_000 }),
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  await docker(
    ['exec', '-i', 'slack-kb-postgres', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'slack_kb_agent'],
    {
      input: await readFile(path.join(IMAGES, 'postgres', 'data.sql'), 'utf8'),
    },
  );
  await docker(['restart', '-t', '5', 'slack-kb-agent']); // so that it loads the rows
  await waitForHealthy(state);
}

/**
 * Puts a running stack back as startStack left it, for a test file that reuses one (KB_STACK_STATE):
 * the current release, no override or feature flags, a new database volume with the demo rows, a
 * new Redis, and none of the agent's earlier series in Prometheus.
 */
export async function resetStack(state: StackState): Promise<void> {
  const down = await asDeployUser(
    state,
    "rm -f docker-compose.override.yml && sed -i '/^\\(SLACK_KB_AGENT_TAG\\|LLM_ENABLED\\|VECTOR_SEARCH_ENABLED\\)=/d' .env && docker-compose down -v 2>&1",
    5 * 60_000,
  );
  if (down.code !== 0) throw new Error(`docker-compose down -v exited ${down.code}:\n${down.stdout}`);
  await deploy(state);
  for (const endpoint of ['delete_series?match[]={job="slack-kb-agent"}', 'clean_tombstones']) {
    await new Promise<void>((resolve, reject) => {
      const request = http.request(
        `${state.prometheusUrl}/api/v1/admin/tsdb/${endpoint}`,
        { method: 'POST' },
        (response) => {
          response
            .resume()
            .on('end', () =>
              response.statusCode === 204
                ? resolve()
                : reject(new Error(`prometheus ${endpoint}: HTTP ${response.statusCode}`)),
            );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }
}

export async function waitForHealthy(state: StackState, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    'slack-kb-agent /health',
    async () => {
      const health = await httpGet(`${state.appUrl}/health`);
      if (health.status !== 200) throw new Error(`HTTP ${health.status} ${health.body.trim()}`);
      return health.body;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** The docker client on the stack's daemon, for tests that look at the host. */
export function stackDocker(state: StackState): Docker {
  return dockerClient(state.dockerHost.replace(/^unix:\/\//, ''));
}

async function terminate(pids: number[], graceMs: number): Promise<void> {
  pids.forEach((pid) => signal(pid, 'SIGTERM'));
  const stubborn = await waitForExit(pids, graceMs);
  stubborn.forEach((pid) => signal(pid, 'SIGKILL'));
  await waitForExit(stubborn, 5_000);
}

/** Mounts dockerd leaves under its exec-root (the nsfs of netns/default among them). */
async function mountsUnder(dir: string): Promise<string[]> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function stopStack(state: StackState): Promise<{ stoppedMs: number }> {
  const started = performance.now();
  const files = layout(state.runDir);
  const dockerdPid = (await readPidFile(files.docker.pidFile)) ?? state.pids.dockerd;
  if (dockerdPid !== undefined && (await isAlive(dockerdPid))) {
    const docker = dockerClient(files.docker.socket);
    const running = await docker(['ps', '-q']).catch(() => '');
    if (running)
      await docker(['stop', '-t', '5', ...running.split('\n')], { timeoutMs: 60_000 }).catch(() => '');
  }
  const everything = await listProcesses();
  for (const pid of [
    state.pids.prometheus,
    state.pids.alertmanager,
    state.pids.sshd,
    state.pids.registry,
    dockerdPid,
  ]) {
    if (pid === undefined || !(await isAlive(pid))) continue;
    // Whole trees: sshd's sessions, dockerd's containerd and its shims.
    await terminate([pid, ...descendantsOf(pid, everything).map((info) => info.pid)], 20_000);
  }
  for (const point of await mountsUnder(state.runDir)) {
    await run('/usr/bin/umount', ['-l', point], { timeoutMs: 10_000 });
  }
  const ours = (info: { cmdline: string[]; uid: number }) =>
    info.cmdline.some((arg) => arg.includes(state.runDir)) || info.uid === state.deployUid;
  // containerd's shims detach from dockerd; they name its exec-root on their command lines.
  const stragglers = (await listProcesses()).filter((info) => ours(info) && info.pid !== process.pid);
  if (stragglers.length > 0)
    await terminate(
      stragglers.map((info) => info.pid),
      5_000,
    );
  const left = (await listProcesses()).filter((info) => ours(info) && info.pid !== process.pid);
  const mounts = await mountsUnder(state.runDir);
  if (left.length > 0 || mounts.length > 0) {
    throw new Error(
      `stack ${state.runDir} left ${left.length} processes and ${mounts.length} mounts (folder kept):\n` +
        [...left.map(describeProcess), ...mounts].join('\n'),
    );
  }
  await rm(state.runDir, { recursive: true, force: true });
  await rm(cacheLayout(state.cacheDir).lock, { force: true });
  return { stoppedMs: Math.round(performance.now() - started) };
}

async function main(argv: string[]): Promise<number> {
  const [command, stateFile] = argv;
  if (command === 'up' && stateFile) {
    const state = await startStack();
    const json = `${JSON.stringify(state, null, 2)}\n`;
    await writeFile(stateFile, json, { mode: 0o600 });
    process.stderr.write(
      `stack up in ${state.timings.total} ms (${JSON.stringify(state.timings)}): ` +
        `ssh -p ${state.sshPort} -i ${state.privateKeyPath} ${state.sshUser}@127.0.0.1; agent ${state.appUrl}; ` +
        `prometheus ${state.prometheusUrl} (state in ${stateFile})\n`,
    );
    return 0;
  }
  if (command === 'down' && stateFile) {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as StackState;
    const report = await stopStack(state);
    process.stderr.write(`stack down in ${report.stoppedMs} ms; no process or mount left\n`);
    return 0;
  }
  process.stderr.write('usage: node harness/stack/stack.ts up <stateFile> | down <stateFile>\n');
  return 64;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
