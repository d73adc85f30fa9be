import { CappedOutput } from '../../src/executor/capture.ts';
import { remoteCommand, stepArguments } from '../../src/executor/ssh-args.ts';
import { explainSshFailure } from '../../src/executor/ssh.ts';

const connection = {
  host: 'kb-vm.internal',
  port: 2222,
  user: 'deploy',
  jumpHost: undefined,
  insecureSkipHostKeyCheck: false,
  connectTimeoutSeconds: 10,
};
const files = { identityFile: '/rt/k/id', knownHostsFile: '/rt/k/known_hosts', controlPath: '/rt/k/cm' };

const options = (args: string[]) => args.flatMap((arg, i) => (args[i - 1] === '-o' ? [arg] : []));

describe('ssh arguments', () => {
  test('check host keys strictly, never prompt, use only the given key, and share one connection', () => {
    const args = stepArguments(connection, files, 'echo hi', 30);
    expect(args.slice(0, 2)).toEqual(['-F', '/dev/null']);
    expect(options(args)).toEqual(
      expect.arrayContaining([
        'BatchMode=yes',
        'ConnectTimeout=10',
        'StrictHostKeyChecking=yes',
        'UserKnownHostsFile=/rt/k/known_hosts',
        'IdentitiesOnly=yes',
        'IdentityFile=/rt/k/id',
        'ControlMaster=auto',
        'ControlPath=/rt/k/cm',
      ]),
    );
    expect(args.slice(-3)).toEqual(['deploy@kb-vm.internal', '--', remoteCommand('echo hi', 30)]);
  });

  test('the remote command is one quoted word run under timeout, so the host kills it on expiry', () => {
    expect(remoteCommand("echo 'a'; rm -rf /tmp/x", 30)).toBe(
      `timeout --kill-after=10 30 bash -eo pipefail -c 'echo '\\''a'\\''; rm -rf /tmp/x'`,
    );
  });

  test('skipping host key checks is explicit', () => {
    const args = stepArguments({ ...connection, insecureSkipHostKeyCheck: true }, files, 'true', 5);
    expect(options(args)).toEqual(
      expect.arrayContaining(['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null']),
    );
  });

  test('a jump host is reached with the same strict options', () => {
    const args = stepArguments({ ...connection, jumpHost: 'bastion@jump.example:2200' }, files, 'true', 5);
    const proxy = options(args).find((option) => option.startsWith('ProxyCommand='));
    expect(proxy).toContain("'StrictHostKeyChecking=yes'");
    expect(proxy).toContain("'-p' '2200' '-W' %h:%p 'bastion@jump.example'");
  });

  test('without a socket path short enough for a Unix socket, each step opens its own connection', () => {
    const args = stepArguments(connection, { ...files, controlPath: undefined }, 'true', 5);
    expect(options(args)).toEqual(expect.arrayContaining(['ControlMaster=no', 'ControlPath=none']));
    expect(options(args).some((option) => option.startsWith('ControlPersist'))).toBe(false);
  });

  test('ssh failures are explained for the responder', () => {
    expect(explainSshFailure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@').sshError).toContain(
      'host key verification failed',
    );
    expect(explainSshFailure('deploy@127.0.0.1: Permission denied (publickey).').sshError).toContain(
      'authentication failed',
    );
    expect(explainSshFailure('ssh: connect to host 127.0.0.1 port 1: Connection refused').sshError).toContain(
      'connection refused',
    );
  });
});

describe('CappedOutput', () => {
  test('keeps the head and the tail of a flood and counts what it dropped', () => {
    const capture = new CappedOutput(10, 10);
    for (let i = 0; i < 1000; i += 1) capture.write(Buffer.from(`${String(i).padStart(4, '0')}\n`));
    const result = capture.result();
    expect(result.totalBytes).toBe(5000);
    expect(result.omittedBytes).toBe(4980);
    expect(result.text.startsWith('0000\n0001\n')).toBe(true);
    expect(result.text.endsWith('0998\n0999\n')).toBe(true);
  });

  test('short output is kept whole', () => {
    const capture = new CappedOutput(10, 10);
    capture.write(Buffer.from('hello'));
    expect(capture.result()).toEqual({ text: 'hello', totalBytes: 5, omittedBytes: 0 });
  });
});
