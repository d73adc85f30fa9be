// A fresh machine must pass the first time, and when the test deployment cannot start the run
// must end with why. Both are forced here: a PostgreSQL port taken by another process between
// picking and binding it, once (the start is tried again and succeeds) and for good (the run ends
// with the step, the service's own log and the closing line).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDeployHost, stopDeployHost } from '../../harness/deploy/host.ts';

const withFault = async <T>(fault: string, body: () => Promise<T>): Promise<T> => {
  const previous = process.env.KB_DEPLOY_FAULT;
  process.env.KB_DEPLOY_FAULT = fault;
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env.KB_DEPLOY_FAULT;
    else process.env.KB_DEPLOY_FAULT = previous;
  }
};

test('a start that finds its PostgreSQL port taken is tried again on other ports, and the host comes up', async () => {
  const state = await withFault('pg-port-taken:1', () => startDeployHost());
  try {
    expect(state.pgPort).toBeGreaterThan(0);
    expect(state.startupMs).toBeGreaterThan(0);
  } finally {
    await stopDeployHost(state);
  }
}, 400_000);

test('when the host never starts, the test command ends with its cause, then "0 passed, 1 failed"', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'test-sh-reports-'));
  try {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        'bash',
        ['scripts/test.sh'],
        {
          env: {
            ...process.env,
            KB_DEPLOY_FAULT: 'pg-port-taken:99',
            TEST_SH_SKIP_CHECKS: '1',
            TEST_SH_PROJECTS: 'e2e',
            TEST_SH_JEST_ARGS: '__tests__/e2e/self-test.test.ts',
            TEST_SH_TMP: reports,
            DEPLOY_HOST_STATE: '',
          },
          maxBuffer: 64 * 1024 * 1024,
          timeout: 600_000,
        },
        (error, out) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('0 passed, 1 failed');
    const cause = lines.slice(lines.lastIndexOf('=== Why no test ran ===')).join('\n');
    expect(cause).toContain('The test deployment host did not start, so no test ran.');
    expect(cause).toContain('postgres');
    expect(cause).toMatch(/Address already in use|could not bind/);
    expect(cause).toContain('start attempt 3 of 3');
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}, 900_000);
