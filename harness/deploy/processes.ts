// Child processes with a timeout on every spawn, and the /proc reading the deploy host needs to
// find what it started (including daemons that detached from us) and to prove it is all gone.
import { spawn } from 'node:child_process';
import { open, readFile, readlink, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunOptions {
  timeoutMs?: number;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects only on spawn failure or timeout (the exit code is data). */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs}ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // EPIPE when the command does not read its input
    child.stdin.end(options.input ?? '');
  });
}

/** Like run(), but a non-zero exit is an error carrying the command's stderr. */
export async function runChecked(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited ${result.code}\n${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}

/**
 * Starts a program that daemonizes itself (sshd, supervisord) and waits for the foreground part
 * to exit. Its stdio goes to `outputFile`, never to a pipe: a daemon holding our pipe open would
 * keep the caller waiting.
 */
export async function startDaemon(
  file: string,
  args: readonly string[],
  outputFile: string,
  options: Omit<RunOptions, 'input'> = {},
): Promise<void> {
  const output = await open(outputFile, 'a');
  try {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        uid: options.uid,
        gid: options.gid,
        stdio: ['ignore', output.fd, output.fd],
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${file} did not detach within ${timeoutMs}ms`));
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (exitCode, signal) => {
        clearTimeout(timer);
        resolve(exitCode ?? (signal ? 128 : 1));
      });
    });
    if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${code}`);
  } finally {
    await output.close();
  }
}

/** Thrown by a waitFor probe when waiting longer cannot help. */
export class GiveUp extends Error {}

/** Polls `probe` until it resolves; on timeout the error names the last failure. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  { timeoutMs, intervalMs = 100 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (error instanceof GiveUp) {
        throw new Error(`${what} will not become ready: ${error.message}`, { cause: error });
      }
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${what} not ready after ${timeoutMs}ms: ${reason}`);
    }
    await sleep(intervalMs);
  }
}

export async function tail(file: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}

export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  state: string;
  cmdline: string[];
  cwd: string | undefined;
  environ: string[];
}

async function readProcess(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1] ?? '';
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8')
      .then((text) => text.split('\0'))
      .catch(() => []);
    return {
      pid,
      ppid: Number(field('PPid')),
      uid: Number(field('Uid').split(/\s+/)[0]),
      state: field('State').charAt(0),
      cmdline,
      cwd,
      environ,
    };
  } catch {
    return undefined; // exited while we looked
  }
}

/** Every live (non-zombie) process we are allowed to inspect. */
export async function listProcesses(): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const infos = await Promise.all(pids.map(readProcess));
  return infos.filter((info): info is ProcessInfo => info !== undefined && info.state !== 'Z');
}

export function descendantsOf(root: number, processes: readonly ProcessInfo[]): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const child of processes.filter((p) => p.ppid === parent)) {
      found.push(child);
      frontier.push(child.pid);
    }
  }
  return found;
}

export function ancestorsOf(pid: number, processes: readonly ProcessInfo[]): Set<number> {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const ancestors = new Set<number>();
  for (let current = byPid.get(pid); current && current.ppid > 0; current = byPid.get(current.ppid)) {
    ancestors.add(current.ppid);
  }
  return ancestors;
}

export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids];
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = (await Promise.all(alive.map(async (pid) => ((await isAlive(pid)) ? pid : 0)))).filter(Boolean);
  }
  return alive;
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export function describeProcess(process: ProcessInfo): string {
  return `pid ${process.pid} (uid ${process.uid}): ${process.cmdline.join(' ')}`;
}
