// The unprivileged account that owns the stand-in deployment and is the only one sshd lets in.
//
// As root: a dedicated `kbdeploy` account, created once and reused by every later run (and by
// runs in parallel: a concurrent useradd is tolerated). `useradd` leaves the password field as
// "!", which OpenSSH treats as a locked account and refuses even for key logins, so the field is
// set to "*" (no password can match, the account is not locked).
//
// Not root (a contributor's machine): sshd cannot switch users, so the deploy user is whoever runs
// the harness, and the ssh login is into that same account.
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './processes.ts';

const DEPLOY_USER_NAME = 'kbdeploy';

export interface DeployUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** true when the harness runs as root and the deploy user is the dedicated account */
  dedicated: boolean;
}

async function passwdEntry(name: string): Promise<string[] | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  return passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
}

async function shadowPassword(name: string): Promise<string | undefined> {
  const shadow = await readFile('/etc/shadow', 'utf8');
  return shadow
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name)?.[1];
}

// useradd/usermod exit 10 when another run holds /etc/passwd's lock; 9 means the user now exists.
async function withPasswdLockRetry(
  file: string,
  args: string[],
  toleratedCodes: number[] = [],
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const result = await run(file, args, { timeoutMs: 15_000 });
    if (result.code === 0 || toleratedCodes.includes(result.code)) return;
    if (result.code !== 10 || attempt >= 50) {
      throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
    }
    await sleep(100);
  }
}

export async function ensureDeployUser(name: string = DEPLOY_USER_NAME): Promise<DeployUser> {
  if (process.getuid?.() !== 0) {
    const me = os.userInfo();
    return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, dedicated: false };
  }
  if (!(await passwdEntry(name))) {
    await withPasswdLockRetry(
      '/usr/sbin/useradd',
      ['--create-home', '--home-dir', `/home/${name}`, '--shell', '/bin/bash', '--user-group', name],
      [9],
    );
  }
  const entry = await passwdEntry(name);
  if (!entry) throw new Error(`useradd ${name} succeeded but the account is not in /etc/passwd`);
  if ((await shadowPassword(name))?.startsWith('!')) {
    await withPasswdLockRetry('/usr/sbin/usermod', ['-p', '*', name]);
  }
  if (entry[6] !== '/bin/bash') await withPasswdLockRetry('/usr/sbin/usermod', ['-s', '/bin/bash', name]);
  return {
    name,
    uid: Number(entry[2]),
    gid: Number(entry[3]),
    home: entry[5] ?? `/home/${name}`,
    dedicated: true,
  };
}
