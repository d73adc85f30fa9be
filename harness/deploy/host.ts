// A stand-in deployment host for the end-to-end tests: OpenSSH on 127.0.0.1 in front of a supervisord-run
// Slack KB Agent with PostgreSQL 15 and Redis, all living in one temporary folder.
//
// Why it stays beside the real stack (harness/stack): the end-to-end tests of the action's own
// behaviour (trust, the queue, faults, the executor, secrets) need a host without docker that
// starts in seconds and that many test files share; the built-in runbook's docker-compose
// commands are proven against the real stack instead.
//
//   node harness/deploy/host.ts up <stateFile>     start everything detached, write the JSON state
//   node harness/deploy/host.ts down <stateFile>   stop everything, verify nothing is left, clean up
//
// As root, sessions run as the dedicated `kbdeploy` account (see deploy-user.ts). Not as root,
// sshd runs as the current user and can only let that same user in, so the "deploy user" is you:
// the host still works (key-only login, ForceCommand, SetEnv, supervisord, PostgreSQL, Redis), but
// nothing separates the remote commands from your own account.
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { ensureDeployUser, type DeployUser } from './deploy-user.ts';
import { pickFreePorts } from './ports.ts';
import {
  ancestorsOf,
  describeProcess,
  descendantsOf,
  GiveUp,
  isAlive,
  listProcesses,
  readPidFile,
  run,
  runChecked,
  signal,
  tail,
  waitFor,
  waitForExit,
  type ProcessInfo,
} from './processes.ts';
import {
  generateKey,
  knownHostsLine,
  readSshBanner,
  renderSshdConfig,
  sshdLayout,
  startSshd,
} from './sshd.ts';
import {
  CURRENT_RELEASE,
  DATABASE,
  DATABASE_USER,
  RELEASES,
  buildKbHome,
  deploymentEnvironment,
  kbLayout,
  seedDatabase,
  startSupervisord,
  type KbLayout,
  type Ports,
} from './kb-home.ts';

export interface DeployHostState {
  baseDir: string;
  /** 'root': sessions run as the dedicated kbdeploy account; 'current-user': as whoever started it */
  mode: 'root' | 'current-user';
  sshHost: '127.0.0.1';
  sshPort: number;
  sshUser: string;
  deployUid: number;
  deployGid: number;
  privateKeyPath: string;
  privateKey: string;
  /** a known_hosts file holding knownHostsLine */
  knownHostsPath: string;
  knownHostsLine: string;
  /** a well-formed line for the same host and port but another key, for host-key-mismatch tests */
  wrongKnownHostsLine: string;
  appPort: number;
  kbUrl: string;
  pgPort: number;
  pgUser: string;
  pgDatabase: string;
  redisPort: number;
  kbHome: string;
  releases: string[];
  currentRelease: string;
  /** the environment every ssh session gets through sshd's SetEnv */
  sessionEnvironment: Record<string, string>;
  /** one line per ssh session: `<ISO time> <command as a JSON string, or null>` */
  commandLogPath: string;
  logs: { sshd: string; supervisord: string; app: string; postgres: string; redis: string };
  /** pids at startup; the programs' pids change when supervisord restarts them */
  pids: { sshd?: number; supervisord?: number; postgres?: number; redis?: number; app?: number };
  startupMs: number;
}

/** startDeployHost resolves to the very object `up` writes as JSON. */
export type DeployHost = DeployHostState;

export interface StopReport {
  stoppedMs: number;
  /** processes that survived the orderly shutdown and had to be signalled one by one */
  killed: string[];
}

/**
 * How long a service may take to become ready. Generous, because the first start on a new machine
 * is slow (the first PostgreSQL initdb, cold page cache, two cores shared with a build), and bounded,
 * so that a service that will never come up fails the run with its log instead of hanging it.
 */
const READY_TIMEOUT_MS = 120_000;
/** Starts tried when a start fails for a reason that can pass, such as a port taken meanwhile. */
const START_ATTEMPTS = 3;
/** Failures that another attempt, on other ports, can cure. */
const TRANSIENT =
  /address already in use|could not bind|EADDRINUSE|could not create any TCP\/IP sockets|Cannot assign requested address/i;

/** KB_DEPLOY_TRACE=1 prints how long each phase of start and stop took, to tune the figures. */
function tracer(label: string): (phase: string) => void {
  const started = performance.now();
  return process.env.KB_DEPLOY_TRACE
    ? (phase) => process.stderr.write(`[${label} +${Math.round(performance.now() - started)}ms] ${phase}\n`)
    : () => {};
}

function paths(baseDir: string) {
  return {
    ssh: sshdLayout(path.join(baseDir, 'ssh')),
    kb: kbLayout(path.join(baseDir, 'kb')),
    clientDir: path.join(baseDir, 'client'),
    auditDir: path.join(baseDir, 'audit'),
  };
}

async function prepareBaseDir(requested: string | undefined): Promise<string> {
  let baseDir: string;
  if (requested) {
    baseDir = path.resolve(requested);
    await mkdir(baseDir, { recursive: true });
    if ((await readdir(baseDir)).length > 0) throw new Error(`baseDir ${baseDir} is not empty`);
  } else {
    baseDir = await mkdtemp(path.join(os.tmpdir(), 'kb-deploy-'));
  }
  // Paths end up unquoted in sshd_config (SetEnv), supervisord.conf and shell scripts.
  if (/[^A-Za-z0-9._/-]/.test(baseDir)) throw new Error(`baseDir ${baseDir} has characters we do not quote`);
  await chmod(baseDir, 0o755); // mkdtemp makes it 0700; the deploy user must get through it
  return baseDir;
}

function httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 2_000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

function redisPing(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000, () => socket.destroy(new Error('timed out')));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.once('data', (reply) => {
      socket.destroy();
      if (reply.toString('latin1').startsWith('+PONG')) resolve();
      else reject(new Error(`redis answered ${JSON.stringify(reply.toString('latin1').trim())}`));
    });
    socket.once('error', reject);
  });
}

async function waitForService(what: string, probe: () => Promise<unknown>, log: string, kb: KbLayout) {
  const probeUnlessSupervisorGaveUp = async () => {
    // "gave up: NAME entered FATAL state, too many start retries too quickly"
    const gaveUp = (await readFile(kb.supervisordLog, 'utf8').catch(() => '')).match(/gave up: .*/);
    if (gaveUp) throw new GiveUp(`supervisord ${gaveUp[0]}`);
    // A port taken under it will not free itself: say so now rather than at the deadline.
    const bind = (await readFile(log, 'utf8').catch(() => '')).match(TRANSIENT);
    if (bind) throw new GiveUp(`its log says: ${bind[0]}`);
    return probe();
  };
  try {
    await waitFor(what, probeUnlessSupervisorGaveUp, { timeoutMs: READY_TIMEOUT_MS });
  } catch (error) {
    const status = await run('/usr/bin/supervisorctl', ['-c', kb.supervisordConf, 'status'], {
      timeoutMs: 10_000,
    }).catch((statusError: Error) => ({ stdout: statusError.message }));
    throw new Error(
      `${(error as Error).message}\n--- kbctl status\n${status.stdout.trim()}\n--- ${log}\n${await tail(log)}` +
        `\n--- ${kb.supervisordLog}\n${await tail(kb.supervisordLog, 15)}`,
      { cause: error },
    );
  }
}

async function writeSshFiles(
  state: DeployHostState,
  user: DeployUser,
  layout: ReturnType<typeof paths>,
  clientPublicKey: string,
): Promise<void> {
  const { ssh } = layout;
  await writeFile(ssh.authorizedKeysPath, `${clientPublicKey}\n`, { mode: 0o644 });
  await writeFile(
    ssh.configPath,
    renderSshdConfig(ssh, {
      port: state.sshPort,
      user,
      environment: state.sessionEnvironment,
      commandLogPath: state.commandLogPath,
    }),
    { mode: 0o600 },
  );
  await copyFile(
    path.join(path.dirname(fileURLToPath(import.meta.url)), 'host-files', 'session-wrapper'),
    ssh.wrapperPath,
  );
  await chmod(ssh.wrapperPath, 0o755);
  await writeFile(state.commandLogPath, '', { mode: 0o644 });
  if (user.dedicated) {
    await chown(state.commandLogPath, user.uid, user.gid);
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // Debian's privilege separation dir
  }
}

/**
 * Starts the host; a start that failed for a reason that can pass (a port another process took
 * between picking it and binding it) is tried again on fresh ports. `KB_DEPLOY_FAULT=pg-port-taken:N`
 * makes the first N attempts find PostgreSQL's port taken, to test exactly that.
 */
export async function startDeployHost(options: { baseDir?: string } = {}): Promise<DeployHost> {
  const fault = /^pg-port-taken:(\d+)$/.exec(process.env.KB_DEPLOY_FAULT ?? '');
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startDeployHostOnce(options, fault ? attempt <= Number(fault[1]) : false);
    } catch (error) {
      const message = (error as Error).message;
      if (attempt >= START_ATTEMPTS || !TRANSIENT.test(message) || options.baseDir) {
        throw new Error(
          `${message}\n(start attempt ${attempt} of ${START_ATTEMPTS}${TRANSIENT.test(message) ? '' : '; not retried: this failure does not pass by itself'})`,
          { cause: error },
        );
      }
      process.stderr.write(
        `deploy host: start attempt ${attempt} failed (${message.split('\n')[0]}); trying again on other ports\n`,
      );
    }
  }
}

async function startDeployHostOnce(options: { baseDir?: string }, takePgPort: boolean): Promise<DeployHost> {
  const started = performance.now();
  const trace = tracer('start');
  const baseDir = await prepareBaseDir(options.baseDir);
  const layout = paths(baseDir);
  const { kb, ssh } = layout;
  let state: DeployHostState | undefined;
  let squatter: net.Server | undefined;
  try {
    const user = await ensureDeployUser();
    trace('deploy user ready');
    const ports: Ports = await pickFreePorts(['ssh', 'app', 'pg', 'redis'] as const);
    const { ssh: sshPort, app: appPort, pg: pgPort, redis: redisPort } = ports;
    if (takePgPort) squatter = await squat(pgPort);
    const sessionEnvironment = deploymentEnvironment(kb, ports);
    state = {
      baseDir,
      mode: user.dedicated ? 'root' : 'current-user',
      sshHost: '127.0.0.1',
      sshPort,
      sshUser: user.name,
      deployUid: user.uid,
      deployGid: user.gid,
      privateKeyPath: path.join(layout.clientDir, 'id_ed25519'),
      privateKey: '',
      knownHostsPath: path.join(layout.clientDir, 'known_hosts'),
      knownHostsLine: '',
      wrongKnownHostsLine: '',
      appPort,
      kbUrl: sessionEnvironment.KB_URL as string,
      pgPort,
      pgUser: DATABASE_USER,
      pgDatabase: DATABASE,
      redisPort,
      kbHome: kb.kbHome,
      releases: [...RELEASES],
      currentRelease: CURRENT_RELEASE,
      sessionEnvironment,
      commandLogPath: path.join(layout.auditDir, 'commands.log'),
      logs: {
        sshd: ssh.logPath,
        supervisord: kb.supervisordLog,
        app: kb.appLog,
        postgres: kb.postgresLog,
        redis: kb.redisLog,
      },
      pids: {},
      startupMs: 0,
    };
    for (const dir of [ssh.dir, layout.clientDir, layout.auditDir]) await mkdir(dir, { mode: 0o755 });
    await chmod(layout.clientDir, 0o700);

    const [hostKey, clientKey, otherHostKey] = await Promise.all([
      generateKey(ssh.hostKeyPath, `kb-deploy-host@${baseDir}`),
      generateKey(state.privateKeyPath, `kb-deploy-client@${baseDir}`),
      generateKey(path.join(layout.clientDir, 'wrong_host_key'), 'not-the-deploy-host'),
      buildKbHome(kb, ports, user, process.execPath),
    ]);
    trace('keys generated, kbHome built, initdb done');
    state.knownHostsLine = knownHostsLine(sshPort, hostKey);
    state.wrongKnownHostsLine = knownHostsLine(sshPort, otherHostKey);
    state.privateKey = await readFile(state.privateKeyPath, 'utf8');
    await writeFile(state.knownHostsPath, `${state.knownHostsLine}\n`, { mode: 0o644 });
    await writeSshFiles(state, user, layout, clientKey);

    const [supervisordPid, sshdPid] = await Promise.all([startSupervisord(kb, user), startSshd(ssh)]);
    trace('supervisord and sshd started');
    state.pids.supervisord = supervisordPid;
    state.pids.sshd = sshdPid;

    const pgIsReady = () =>
      runChecked('/usr/lib/postgresql/15/bin/pg_isready', ['-h', '127.0.0.1', '-p', String(pgPort)], {
        timeoutMs: 3_000,
      });
    await Promise.all([
      waitForService('postgres', pgIsReady, kb.postgresLog, kb)
        .then(() => trace('postgres ready'))
        .then(() => seedDatabase(pgPort))
        .then(() => trace('database seeded')),
      waitForService('redis', () => redisPing(redisPort), kb.redisLog, kb).then(() => trace('redis ready')),
      waitForService('sshd', () => readSshBanner(sshPort), ssh.logPath, kb).then(() => trace('sshd ready')),
    ]);
    await waitForService(
      'slack-kb-agent /health',
      async () => {
        const health = await httpGet(appPort, '/health');
        if (health.status !== 200) throw new Error(`HTTP ${health.status} ${health.body.trim()}`);
      },
      kb.appLog,
      kb,
    );
    trace('app healthy');
    Object.assign(state.pids, await programPids(supervisordPid));
    state.startupMs = Math.round(performance.now() - started);
    return state;
  } catch (error) {
    squatter?.close();
    const cleanup = await stopDeployHost(
      state ??
        ({ baseDir, kbHome: kb.kbHome, deployUid: process.getuid?.() ?? 0, pids: {} } as DeployHostState),
    ).then(
      () => 'cleaned up',
      (stopError: Error) => `cleanup failed too: ${stopError.message}`,
    );
    throw new Error(`deploy host failed to start (${cleanup}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Another process's listener on `port`, as when something takes it between picking and binding. */
function squat(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * The pids of supervisord's children. `kbctl status` would only show the app's pid once it has
 * been up for startsecs (1 s), and we are usually done before that.
 */
async function programPids(
  supervisordPid: number,
): Promise<Pick<DeployHostState['pids'], 'postgres' | 'redis' | 'app'>> {
  const children = (await listProcesses()).filter((info) => info.ppid === supervisordPid);
  const find = (test: (program: string) => boolean) =>
    children.find((info) => test(path.basename(info.cmdline[0]?.split(' ')[0] ?? '')))?.pid;
  return {
    postgres: find((program) => program === 'postgres'),
    redis: find((program) => program === 'redis-server'),
    app: find((program) => program === 'node' || program.startsWith('node')),
  };
}

function referencesBaseDir(info: ProcessInfo, state: Pick<DeployHostState, 'baseDir' | 'kbHome'>): boolean {
  const inside = (value: string) => value === state.baseDir || value.includes(`${state.baseDir}/`);
  return (
    info.cmdline.some(inside) ||
    (info.cwd !== undefined && inside(info.cwd)) ||
    info.environ.includes(`KB_HOME=${state.kbHome}`)
  );
}

/**
 * Processes of the deploy user (or of whoever runs this) that belong to this host: they run from,
 * in or on its folder, or carry its KB_HOME (supervisord's programs and every ssh session do).
 * Ourselves and our ancestors are left out: `down <stateFile>` may be given a path inside baseDir.
 */
async function processesOf(state: Pick<DeployHostState, 'baseDir' | 'kbHome' | 'deployUid'>) {
  const all = await listProcesses();
  const spared = ancestorsOf(process.pid, all).add(process.pid);
  const owners = new Set([state.deployUid, process.getuid?.()]);
  return all.filter(
    (info) => !spared.has(info.pid) && owners.has(info.uid) && referencesBaseDir(info, state),
  );
}

async function terminate(pids: number[], graceMs: number): Promise<void> {
  pids.forEach((pid) => signal(pid, 'SIGTERM'));
  const stubborn = await waitForExit(pids, graceMs);
  stubborn.forEach((pid) => signal(pid, 'SIGKILL'));
  await waitForExit(stubborn, 2_000);
}

export async function stopDeployHost(state: DeployHostState): Promise<StopReport> {
  const started = performance.now();
  const trace = tracer('stop');
  const { kb, ssh } = paths(state.baseDir);

  // supervisord stops its programs in reverse priority order (the app, then PostgreSQL and Redis).
  const supervisordPid = (await readPidFile(kb.supervisordPid)) ?? state.pids.supervisord;
  if (supervisordPid !== undefined && (await isAlive(supervisordPid))) {
    const shutdown = await run('/usr/bin/supervisorctl', ['-c', kb.supervisordConf, 'shutdown'], {
      timeoutMs: 15_000,
    }).catch(() => ({ code: -1 }));
    if (shutdown.code !== 0) signal(supervisordPid, 'SIGTERM');
    trace(`supervisorctl shutdown exited ${shutdown.code}`);
    if ((await waitForExit([supervisordPid], 30_000)).length > 0) await terminate([supervisordPid], 0);
    trace('supervisord gone');
  }

  // Killing the listener leaves open connections alive, so its whole process tree goes.
  const sshdPid = (await readPidFile(ssh.pidPath)) ?? state.pids.sshd;
  if (sshdPid !== undefined && (await isAlive(sshdPid))) {
    const tree = [sshdPid, ...descendantsOf(sshdPid, await listProcesses()).map((info) => info.pid)];
    await terminate(tree, 5_000);
    trace('sshd gone');
  }

  const stragglers = await processesOf(state);
  if (stragglers.length > 0) {
    await terminate(
      stragglers.map((info) => info.pid),
      3_000,
    );
  }

  const left = await processesOf(state);
  for (const pid of [supervisordPid, sshdPid]) {
    if (pid !== undefined && (await isAlive(pid)) && !left.some((info) => info.pid === pid)) {
      left.push({
        pid,
        ppid: 0,
        uid: -1,
        state: '?',
        cmdline: ['(daemon from the pid file)'],
        cwd: undefined,
        environ: [],
      });
    }
  }
  if (left.length > 0) {
    throw new Error(
      `deploy host ${state.baseDir} still has processes running (folder kept for inspection):\n` +
        left.map(describeProcess).join('\n'),
    );
  }
  trace('verified: nothing left');
  await rm(state.baseDir, { recursive: true, force: true });
  trace('folder removed');
  return { stoppedMs: Math.round(performance.now() - started), killed: stragglers.map(describeProcess) };
}

/**
 * Ships `version` broken: the app still starts from it, but /health answers 503 with `reason`.
 * Takes effect on the next (re)start of slack-kb-agent; removing the BROKEN file repairs it.
 */
export async function breakRelease(state: DeployHostState, version: string, reason: string): Promise<void> {
  if (!state.releases.includes(version))
    throw new Error(`no release ${version} (have ${state.releases.join(', ')})`);
  const marker = path.join(state.kbHome, 'releases', version, 'BROKEN');
  await writeFile(marker, `${reason}\n`, { mode: 0o644 });
  await chown(marker, state.deployUid, state.deployGid);
}

async function main(argv: string[]): Promise<number> {
  const [command, stateFile] = argv;
  if (command === 'up' && stateFile) {
    const state = await startDeployHost();
    const json = `${JSON.stringify(state, null, 2)}\n`;
    await writeFile(stateFile, json, { mode: 0o600 }); // it holds the private key
    process.stdout.write(json);
    process.stderr.write(
      `deploy host up in ${state.startupMs} ms: ssh -p ${state.sshPort} -i ${state.privateKeyPath} ` +
        `${state.sshUser}@127.0.0.1 (state in ${stateFile})\n`,
    );
    return 0;
  }
  if (command === 'down' && stateFile) {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as DeployHostState;
    const report = await stopDeployHost(state);
    for (const line of report.killed) process.stderr.write(`killed straggler ${line}\n`);
    process.stderr.write(`deploy host ${state.baseDir} down in ${report.stoppedMs} ms; no process left\n`);
    return 0;
  }
  process.stderr.write('usage: node harness/deploy/host.ts up <stateFile> | down <stateFile>\n');
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
