// The stand-in deployment of the Slack KB Agent: versioned releases behind a `current` symlink,
// PostgreSQL, Redis and the app under one supervisord, and the operator tools (kbctl,
// slack-kb-db) the runbook commands use. Everything below kbHome belongs to the deploy user.
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { runChecked, startDaemon, readPidFile, waitFor, tail } from './processes.ts';
import type { DeployUser } from './deploy-user.ts';

export const RELEASES = ['v1.0.0', 'v1.1.0', 'v1.2.0'] as const;
export const CURRENT_RELEASE = 'v1.2.0';
export const DATABASE = 'slack_kb_agent';
export const DATABASE_USER = 'postgres';
/** Rows the seed (harness/stack/images/postgres/data.sql) inserts. */
export const SEEDED_ROW_COUNTS = { documents: 300, messages: 1200, users: 25 } as const;

const PG_BIN = '/usr/lib/postgresql/15/bin';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const HOST_FILES = path.join(HERE, 'host-files');
const SEED_FILES = path.join(HERE, '..', 'stack', 'images', 'postgres');
const APP_SOURCE = path.join(HERE, 'app', 'server.mjs');

export interface Ports {
  ssh: number;
  app: number;
  pg: number;
  redis: number;
}

export interface KbLayout {
  kbHome: string;
  bin: string;
  releases: string;
  current: string;
  data: string;
  backups: string;
  logs: string;
  run: string;
  pgData: string;
  redisDir: string;
  envFile: string;
  supervisordConf: string;
  supervisordPid: string;
  supervisorSocket: string;
  appLog: string;
  postgresLog: string;
  redisLog: string;
  supervisordLog: string;
}

export function kbLayout(kbHome: string): KbLayout {
  const logs = path.join(kbHome, 'logs');
  const run = path.join(kbHome, 'run');
  return {
    kbHome,
    bin: path.join(kbHome, 'bin'),
    releases: path.join(kbHome, 'releases'),
    current: path.join(kbHome, 'current'),
    data: path.join(kbHome, 'data'),
    backups: path.join(kbHome, 'data', 'backups'),
    logs,
    run,
    pgData: path.join(kbHome, 'pgdata'),
    redisDir: path.join(kbHome, 'redis'),
    envFile: path.join(kbHome, 'kb.env'),
    supervisordConf: path.join(kbHome, 'supervisord.conf'),
    supervisordPid: path.join(run, 'supervisord.pid'),
    supervisorSocket: path.join(run, 'supervisor.sock'),
    appLog: path.join(logs, 'slack-kb-agent.log'),
    postgresLog: path.join(logs, 'postgres.log'),
    redisLog: path.join(logs, 'redis.log'),
    supervisordLog: path.join(logs, 'supervisord.log'),
  };
}

/** What every ssh session (via SetEnv) and every tool on the host (via kb.env) sees. */
export function deploymentEnvironment(layout: KbLayout, ports: Ports): Record<string, string> {
  return {
    KB_HOME: layout.kbHome,
    PATH: `${layout.bin}:/usr/local/bin:/usr/bin:/bin`,
    PGHOST: '127.0.0.1',
    PGPORT: String(ports.pg),
    PGUSER: DATABASE_USER,
    PGDATABASE: DATABASE,
    REDIS_PORT: String(ports.redis),
    KB_URL: `http://127.0.0.1:${ports.app}`,
  };
}

function shellQuote(value: string): string {
  if (value.includes("'")) throw new Error(`path with a quote: ${value}`);
  return `'${value}'`;
}

function startScript(releaseDir: string, version: string, nodePath: string): string {
  return [
    '#!/bin/sh',
    `# Starts release ${version} of the Slack KB Agent. supervisord runs $KB_HOME/current/bin/start,`,
    '# so the `current` symlink is resolved again on every (re)start.',
    `exec ${shellQuote(nodePath)} --expose-gc ${shellQuote(path.join(releaseDir, 'server.mjs'))}`,
    '',
  ].join('\n');
}

async function writeRelease(layout: KbLayout, version: string, nodePath: string): Promise<void> {
  const dir = path.join(layout.releases, version);
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await copyFile(APP_SOURCE, path.join(dir, 'server.mjs'));
  await writeFile(path.join(dir, 'VERSION'), `${version}\n`);
  await writeFile(path.join(dir, 'bin', 'start'), startScript(dir, version, nodePath), { mode: 0o755 });
}

function renderSupervisordConf(layout: KbLayout, ports: Ports, user: DeployUser): string {
  const program = (name: string, command: string, extra: string[] = []) => [
    `[program:${name}]`,
    `command=${command}`,
    `directory=${layout.kbHome}`,
    'autostart=true',
    'autorestart=true',
    'startsecs=1',
    'startretries=3',
    'stopwaitsecs=15',
    'stopasgroup=true',
    'killasgroup=true',
    'redirect_stderr=true',
    `stdout_logfile=${path.join(layout.logs, `${name}.log`)}`,
    'stdout_logfile_maxbytes=20MB',
    'stdout_logfile_backups=1',
    ...extra,
    '',
  ];
  const appEnvironment = [
    `KB_APP_PORT="${ports.app}"`,
    `PGHOST="127.0.0.1"`,
    `PGPORT="${ports.pg}"`,
    `PGUSER="${DATABASE_USER}"`,
    `PGDATABASE="${DATABASE}"`,
    `REDIS_PORT="${ports.redis}"`,
    `KB_MEMORY_LIMIT_BYTES="${512 * 1024 * 1024}"`,
  ].join(',');
  return [
    '; Demo deployment of the Slack KB Agent; generated by harness/deploy/kb-home.ts.',
    '[unix_http_server]',
    `file=${layout.supervisorSocket}`,
    'chmod=0700',
    '',
    '[supervisord]',
    `logfile=${layout.supervisordLog}`,
    `pidfile=${layout.supervisordPid}`,
    `childlogdir=${layout.logs}`,
    `identifier=kb-deploy-${path.basename(path.dirname(layout.kbHome))}`,
    `user=${user.name}`,
    '',
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '',
    '[supervisorctl]',
    `serverurl=unix://${layout.supervisorSocket}`,
    '',
    ...program(
      'postgres',
      [
        `${PG_BIN}/postgres -D ${layout.pgData} -p ${ports.pg} -k ${layout.run}`,
        '-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off',
        '-c shared_buffers=16MB -c max_connections=40',
      ].join(' '),
      // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for every client to leave.
      ['priority=10', 'stopsignal=INT'],
    ),
    ...program(
      'redis',
      `/usr/bin/redis-server --bind 127.0.0.1 --port ${ports.redis} --save "" --appendonly no --dir ${layout.redisDir} --daemonize no`,
      ['priority=10'],
    ),
    ...program('slack-kb-agent', path.join(layout.current, 'bin', 'start'), [
      'priority=20',
      `environment=${appEnvironment}`,
    ]),
  ].join('\n');
}

function renderEnvFile(environment: Record<string, string>): string {
  return [
    '# Sourced by the tools in bin/ so they work outside an ssh session too.',
    ...Object.entries(environment).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    '',
  ].join('\n');
}

/**
 * Lays out kbHome (releases, current symlink, tools, configuration), hands it to the deploy user
 * and initialises the PostgreSQL cluster as that user.
 */
export async function buildKbHome(
  layout: KbLayout,
  ports: Ports,
  user: DeployUser,
  nodePath: string,
): Promise<void> {
  for (const dir of [layout.bin, layout.releases, layout.backups, layout.logs, layout.run, layout.redisDir]) {
    await mkdir(dir, { recursive: true });
  }
  // The app runs on a copy of this Node inside the deployment: the deploy account may not be able
  // to reach the one in the repository (a clone in a private folder, as `mktemp -d` makes).
  const node = path.join(layout.bin, 'node');
  await copyFile(nodePath, node);
  await chmod(node, 0o755);
  await Promise.all(RELEASES.map((version) => writeRelease(layout, version, node)));
  await symlink(path.join('releases', CURRENT_RELEASE), layout.current);
  for (const tool of ['kbctl', 'slack-kb-db']) {
    await copyFile(path.join(HOST_FILES, tool), path.join(layout.bin, tool));
  }
  for (const tool of ['psql', 'pg_isready', 'pg_dump', 'pg_restore', 'createdb', 'dropdb']) {
    await symlink(path.join(PG_BIN, tool), path.join(layout.bin, tool));
  }
  await writeFile(layout.envFile, renderEnvFile(deploymentEnvironment(layout, ports)));
  const conf = renderSupervisordConf(layout, ports, user);
  // supervisord refuses `user=` when it is not started as root.
  await writeFile(layout.supervisordConf, user.dedicated ? conf : conf.replace(/^user=.*\n/m, ''));
  if (user.dedicated) await runChecked('/bin/chown', ['-R', `${user.uid}:${user.gid}`, layout.kbHome]);
  await runChecked(
    `${PG_BIN}/initdb`,
    [
      '-D',
      layout.pgData,
      '-U',
      DATABASE_USER,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ],
    { ...asUser(user), cwd: layout.kbHome, env: userEnvironment(user), timeoutMs: 180_000 },
  );
}

function userEnvironment(user: DeployUser): NodeJS.ProcessEnv {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
  };
}

/** Starts supervisord (it drops to the deploy user and detaches) and returns its pid. */
export async function startSupervisord(layout: KbLayout, user: DeployUser): Promise<number> {
  try {
    await startDaemon(
      '/usr/bin/supervisord',
      ['-c', layout.supervisordConf],
      path.join(layout.logs, 'supervisord.out'),
      {
        cwd: layout.kbHome,
        env: { ...userEnvironment(user), KB_HOME: layout.kbHome },
      },
    );
    const pid = await waitFor(
      'supervisord pid file',
      async () => {
        const pid = await readPidFile(layout.supervisordPid);
        if (pid === undefined) throw new Error(`no pid in ${layout.supervisordPid}`);
        return pid;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    await nudge(layout.supervisorSocket);
    return pid;
  } catch (error) {
    throw new Error(
      `supervisord failed to start: ${(error as Error).message}\n` +
        `--- ${layout.supervisordLog}\n${await tail(layout.supervisordLog)}\n` +
        `--- supervisord.out\n${await tail(path.join(layout.logs, 'supervisord.out'))}`,
      { cause: error },
    );
  }
}

/**
 * supervisord starts its autostart programs only after its first 1-second poll() returns. A
 * connection to its control socket ends that poll at once (a signal would not: Python retries
 * poll() after signal handlers), which takes a second off every start-up.
 */
function nudge(socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath, () => {
      socket.end();
      resolve();
    });
    socket.setTimeout(2_000, () => socket.destroy(new Error(`no answer on ${socketPath}`)));
    socket.once('error', reject);
  });
}

export async function seedDatabase(pgPort: number): Promise<void> {
  const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pgPort), PGUSER: DATABASE_USER };
  const psql = `${PG_BIN}/psql`;
  await runChecked(
    psql,
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-c', `create database ${DATABASE}`],
    {
      env,
    },
  );
  // The same tables and rows as the real stack's database (harness/stack/images/postgres).
  for (const file of ['schema.sql', 'data.sql']) {
    await runChecked(
      psql,
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', DATABASE, '-f', path.join(SEED_FILES, file)],
      { env },
    );
  }
}

/** Spawn options that run a command as the deploy user (nothing to switch when it is us). */
function asUser(user: DeployUser): { uid?: number; gid?: number } {
  return user.dedicated ? { uid: user.uid, gid: user.gid } : {};
}
