import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CappedOutput } from './capture.ts';
import type { RemoteExecutor, StepResult } from './port.ts';
import { stepArguments, type SshConnection, type SshFiles } from './ssh-args.ts';
import { removeWorkdir, socketPathIn, WORKDIR_PREFIX, type WorkdirTracker } from './workdir.ts';

export interface SshExecutorOptions {
  connection: SshConnection;
  privateKey: string;
  knownHosts: string;
  /**
   * RUNNER_TEMP: the key, known_hosts, ssh's log and the multiplexing socket live in one folder
   * here (mode 0700), removed on close; the tracker lets every other exit path remove it too.
   */
  runnerTemp: string;
  tracker: WorkdirTracker;
  sshBinary?: string;
  /** Values redacted from the output wherever they appear (the run's token, key and secrets). */
  knownSecrets?: readonly string[];
  /** Bytes kept from the start and from the end of each step's output. */
  captureBytes?: { head: number; tail: number };
}

/**
 * The system OpenSSH client, spawned without a local shell. All steps of a run share one
 * connection (ControlMaster); `close()` ends it and deletes the key.
 */
export function createSshExecutor(options: SshExecutorOptions): RemoteExecutor {
  const workdir = mkdtempSync(join(options.runnerTemp, WORKDIR_PREFIX));
  options.tracker.track(workdir);
  const files: SshFiles = {
    identityFile: join(workdir, 'id'),
    knownHostsFile: join(workdir, 'known_hosts'),
    controlPath: socketPathIn(workdir),
    sshLog: join(workdir, 'ssh.log'),
  };
  writeFileSync(files.identityFile, normaliseKey(options.privateKey), { mode: 0o600 });
  writeFileSync(files.knownHostsFile, options.knownHosts.trim() + '\n', { mode: 0o600 });
  const ssh = options.sshBinary ?? 'ssh';
  const capture = options.captureBytes ?? { head: 48 * 1024, tail: 16 * 1024 };

  return {
    async run(script, timeoutSeconds) {
      const started = performance.now();
      if (files.sshLog) writeFileSync(files.sshLog, '', { mode: 0o600 });
      const stdout = new CappedOutput(capture.head, capture.tail, options.knownSecrets ?? []);
      // Loaded when a run first reaches a host: not on the way to the first reaction.
      const { execa } = await import('execa');
      const subprocess = execa(ssh, stepArguments(options.connection, files, script, timeoutSeconds), {
        stdin: 'ignore',
        buffer: false,
        reject: false,
        // The remote `timeout` ends the command; this is the backstop if the connection hangs.
        timeout: (timeoutSeconds + options.connection.connectTimeoutSeconds + 20) * 1000,
        killSignal: 'SIGKILL',
        all: true,
      });
      subprocess.all?.on('data', (chunk: Buffer) => stdout.write(chunk));
      const result = await subprocess;
      const captured = stdout.result();
      const exitCode = typeof result.exitCode === 'number' ? result.exitCode : undefined;
      const sshMessages = readSshLog(files.sshLog);
      return {
        ...classify(exitCode, result.timedOut, sshMessages),
        output: captured.text,
        totalBytes: captured.totalBytes,
        omittedBytes: captured.omittedBytes,
        durationMs: Math.round(performance.now() - started),
      };
    },
    async close() {
      removeWorkdir(workdir, options.runnerTemp, ssh);
      options.tracker.untrack(workdir);
    },
  };
}

/**
 * 255 is ssh's own failure only when ssh said something (its messages go to their own file);
 * a remote command may exit 255 too.
 */
function classify(
  exitCode: number | undefined,
  timedOut: boolean,
  sshMessages: string,
): Pick<StepResult, 'outcome' | 'exitCode' | 'sshError'> {
  if (timedOut || exitCode === 124 || exitCode === 137) return { outcome: 'timeout', exitCode };
  if (exitCode === 255 && sshMessages.trim().length > 0) {
    return { outcome: 'ssh-error', exitCode, ...explainSshFailure(sshMessages) };
  }
  return { outcome: exitCode === 0 ? 'ok' : 'failed', exitCode };
}

function readSshLog(path: string | undefined): string {
  try {
    return path ? readFileSync(path, 'utf8') : '';
  } catch {
    return '';
  }
}

/**
 * Turns ssh's own error text into what a responder needs to know. Only ssh's fixed phrases are
 * matched; when none fits, the last line is passed on as `sshSaid`, foreign text that a server can
 * choose (a disconnect message before key exchange), so that renderers echo it instead of showing it.
 */
export function explainSshFailure(output: string): Pick<StepResult, 'sshError' | 'sshSaid'> {
  const text = output.toLowerCase();
  if (
    text.includes('remote host identification has changed') ||
    text.includes('host key verification failed')
  ) {
    return {
      sshError:
        'host key verification failed: the host presented a key that is not in ssh-known-hosts. Connection refused to protect the credentials; check the host and update ssh-known-hosts if its key really changed.',
    };
  }
  if (text.includes('permission denied'))
    return { sshError: 'authentication failed: the host did not accept ssh-private-key for ssh-user.' };
  if (text.includes('connection refused'))
    return { sshError: 'connection refused: nothing is listening on the host and port given.' };
  if (
    text.includes('timed out') ||
    text.includes('no route to host') ||
    text.includes('network is unreachable')
  ) {
    return { sshError: 'host unreachable: the connection timed out or there is no route to the host.' };
  }
  if (text.includes('could not resolve hostname'))
    return { sshError: 'the host name could not be resolved.' };
  const lastLine = output.trim().split('\n').at(-1) ?? '';
  return { sshError: 'ssh failed.', sshSaid: lastLine.slice(0, 300) };
}

/** Keys pasted into secrets often lose their final newline or gain CRLFs; OpenSSH rejects both. */
function normaliseKey(key: string): string {
  return key.replace(/\r\n/g, '\n').trim() + '\n';
}
