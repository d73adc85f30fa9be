import { shellQuote } from '../runbook/shell-quote.ts';

export interface SshFiles {
  identityFile: string;
  knownHostsFile: string;
  /**
   * The multiplexing socket (a path under RUNNER_TEMP, like the key). Unset when that path would be
   * too long for a Unix socket: every step then opens its own connection.
   */
  controlPath: string | undefined;
  /** ssh's own messages go here (-E), apart from the remote command's output. */
  sshLog?: string;
}

export interface SshConnection {
  host: string;
  port: number;
  user: string;
  jumpHost: string | undefined;
  insecureSkipHostKeyCheck: boolean;
  connectTimeoutSeconds: number;
}

/** Options shared by the connection, its jump host and the control commands. Never a config file. */
export function commonOptions(connection: SshConnection, files: SshFiles): string[] {
  const hostKeys = connection.insecureSkipHostKeyCheck
    ? ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null']
    : ['StrictHostKeyChecking=yes', `UserKnownHostsFile=${files.knownHostsFile}`];
  return [
    '-F',
    '/dev/null',
    ...(files.sshLog ? ['-E', files.sshLog] : []),
    ...[
      'BatchMode=yes',
      `ConnectTimeout=${connection.connectTimeoutSeconds}`,
      ...hostKeys,
      'GlobalKnownHostsFile=/dev/null',
      'IdentitiesOnly=yes',
      `IdentityFile=${files.identityFile}`,
      'PasswordAuthentication=no',
      'KbdInteractiveAuthentication=no',
      'ServerAliveInterval=15',
      'ServerAliveCountMax=3',
      'LogLevel=ERROR',
    ].flatMap((option) => ['-o', option]),
  ];
}

/** The argument vector for one remote step over the shared (multiplexed) connection. */
export function stepArguments(
  connection: SshConnection,
  files: SshFiles,
  script: string,
  timeoutSeconds: number,
): string[] {
  return [...connectionArguments(connection, files), '--', remoteCommand(script, timeoutSeconds)];
}

export function connectionArguments(connection: SshConnection, files: SshFiles): string[] {
  const args = [
    ...commonOptions(connection, files),
    ...(files.controlPath
      ? ['-o', 'ControlMaster=auto', '-o', `ControlPath=${files.controlPath}`, '-o', 'ControlPersist=120']
      : ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']),
    '-p',
    String(connection.port),
  ];
  if (connection.jumpHost) args.push('-o', `ProxyCommand=${proxyCommand(connection, files)}`);
  args.push(`${connection.user}@${connection.host}`);
  return args;
}

/**
 * The remote side: `timeout` owns a process group and kills all of it when time runs out, so a
 * timed-out command leaves nothing behind on the host even though the client is gone too.
 */
export function remoteCommand(script: string, timeoutSeconds: number): string {
  return `timeout --kill-after=10 ${Math.max(1, Math.round(timeoutSeconds))} bash -eo pipefail -c ${shellQuote(script)}`;
}

/**
 * The jump host is reached with the same strict options (a plain -J would not pass them on). The
 * ProxyCommand string is run by a local shell, so every part is quoted.
 */
function proxyCommand(connection: SshConnection, files: SshFiles): string {
  const jump = /^(?:([^@\s]+)@)?([^:\s]+)(?::(\d+))?$/.exec(connection.jumpHost ?? '');
  if (!jump) throw new Error(`ssh-jump-host "${connection.jumpHost}" is not user@host[:port]`);
  const [, user, host = '', port = '22'] = jump;
  return [
    'ssh',
    ...commonOptions(connection, files),
    '-p',
    port,
    '-W',
    '%h:%p',
    user ? `${user}@${host}` : host,
  ]
    .map((word) => (word === '%h:%p' ? word : shellQuote(word)))
    .join(' ');
}
