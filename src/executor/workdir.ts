import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

/** The folder of one SSH session under RUNNER_TEMP: key, known_hosts, ssh's log and the socket. */
export const WORKDIR_PREFIX = 'incident-ssh-';
/** The multiplexing socket's name inside the folder (short: Unix socket paths are ~104 bytes). */
export const SOCKET_NAME = 'cm';
/** Longest socket path ssh can bind, with room to spare for its temporary suffix. */
const MAX_SOCKET_PATH = 90;

export function socketPathIn(dir: string): string | undefined {
  const path = join(dir, SOCKET_NAME);
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : undefined;
}

/** Where the run keeps its SSH folders, so that every exit path (and the post step) removes them. */
export interface WorkdirTracker {
  track(dir: string): void;
  untrack(dir: string): void;
}

/**
 * Closes a session folder's master connection and removes the folder: synchronously, so that it can
 * run from a signal handler, an exit handler or the post step. Only folders named like ours, directly
 * under `runnerTemp`, are touched.
 */
export function removeWorkdir(dir: string, runnerTemp: string, ssh = 'ssh'): void {
  const path = resolve(dir);
  const parent = resolve(runnerTemp);
  if (relative(parent, path).includes('/') || !basename(path).startsWith(WORKDIR_PREFIX) || path === parent) {
    throw new Error(`refusing to remove ${dir}: not an SSH folder of this action under ${runnerTemp}`);
  }
  const socket = join(path, SOCKET_NAME);
  if (existsSync(socket)) {
    try {
      // The socket is all ssh needs to find the master; the destination is not contacted.
      execFileSync(
        ssh,
        ['-F', '/dev/null', '-o', `ControlPath=${socket}`, '-O', 'exit', 'incident-issueops'],
        {
          stdio: 'ignore',
          timeout: 5_000,
        },
      );
    } catch {
      // The master may be gone already; the process sweep below catches one that is not.
    }
  }
  killMastersOf(path);
  rmSync(path, { recursive: true, force: true });
}

/** Ends any ssh process whose command line names this folder (a master whose socket is gone). */
function killMastersOf(dir: string): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (basename(cmdline[0] ?? '') === 'ssh' && cmdline.some((arg) => arg.includes(`${dir}/`)))
        process.kill(Number(pid), 'SIGTERM');
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
}
