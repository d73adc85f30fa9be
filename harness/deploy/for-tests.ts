// What test files need to use the deploy host: one host per file (or the shared one that Jest's
// global setup started, when DEPLOY_HOST_STATE names its state file), a real /usr/bin/ssh client
// pointed at it, and the host-side record of the commands that ran.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { startDeployHost, stopDeployHost, type DeployHostState } from './host.ts';

/**
 * Registers beforeAll/afterAll hooks and returns a getter for the host's state. With
 * DEPLOY_HOST_STATE set, the host is the shared one described in that file, and it is left running.
 */
export function useDeployHost(): () => DeployHostState {
  let state: DeployHostState | undefined;
  let ownHost = false;
  beforeAll(async () => {
    const stateFile = process.env.DEPLOY_HOST_STATE;
    if (stateFile) {
      state = JSON.parse(await readFile(stateFile, 'utf8')) as DeployHostState;
    } else {
      state = await startDeployHost();
      ownHost = true;
    }
  }, 120_000);
  afterAll(async () => {
    if (ownHost && state) await stopDeployHost(state);
  }, 60_000);
  return () => {
    if (!state) throw new Error('the deploy host is not up: read it inside a test, after beforeAll');
    return state;
  };
}

export interface SshOptions {
  /** defaults to the host's own known_hosts file */
  knownHostsPath?: string;
  /** defaults to the host's client key */
  identityPath?: string;
  /** set to multiplex over a ControlMaster socket at this path */
  controlPath?: string;
  timeoutMs?: number;
}

export interface SshResult {
  /** the remote command's exit code, or 255 when ssh itself failed */
  code: number;
  stdout: string;
  stderr: string;
}

function sshArgs(state: DeployHostState, options: SshOptions = {}): string[] {
  return [
    '-F',
    '/dev/null', // no ~/.ssh/config: the options below are the whole client configuration
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${options.knownHostsPath ?? state.knownHostsPath}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=10',
    '-i',
    options.identityPath ?? state.privateKeyPath,
    '-p',
    String(state.sshPort),
    ...(options.controlPath
      ? ['-o', 'ControlMaster=auto', '-o', `ControlPath=${options.controlPath}`, '-o', 'ControlPersist=60']
      : []),
    `${state.sshUser}@${state.sshHost}`,
  ];
}

/** Runs `command` on the host with /usr/bin/ssh (no command: asks for a shell session). */
export function ssh(
  state: DeployHostState,
  command: string | undefined,
  options: SshOptions = {},
): Promise<SshResult> {
  const args = [...sshArgs(state, options), ...(command === undefined ? [] : [command])];
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/ssh',
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`ssh ${command ?? ''} did not finish: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs `command` on the host and returns its trimmed output; a non-zero exit throws. */
export async function onHost(state: DeployHostState, command: string): Promise<string> {
  const result = await ssh(state, command);
  if (result.code !== 0) throw new Error(`${command} failed on the host: ${result.stderr}`);
  return result.stdout.trim();
}

/** Closes a ControlMaster started by ssh() with `controlPath`. */
export function closeControlMaster(state: DeployHostState, controlPath: string): Promise<SshResult> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/ssh',
      ['-O', 'exit', ...sshArgs(state, { controlPath })],
      { timeout: 10_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface CommandLogEntry {
  at: string;
  /** null for a session that asked for a shell instead of a command */
  command: string | null;
}

/** The host-side record of every ssh session, oldest first. */
export async function readCommandLog(state: DeployHostState): Promise<CommandLogEntry[]> {
  const text = await readFile(state.commandLogPath, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      return { at: line.slice(0, space), command: JSON.parse(line.slice(space + 1)) as string | null };
    });
}
