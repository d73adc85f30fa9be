import type { StepResult } from '../../src/executor/port.ts';
import { couldNotRun, errorLines, findingsOf, reasonIn } from '../../src/report/findings.ts';

const result = (outcome: StepResult['outcome'], exitCode: number | undefined, output = ''): StepResult => ({
  outcome,
  exitCode,
  output,
  totalBytes: output.length,
  omittedBytes: 0,
  durationMs: 10,
});

describe('what a diagnosis found', () => {
  test("a health endpoint's own reason, not curl's exit line", () => {
    const output =
      '{"status": "unhealthy", "problems": ["release v1.5.0 is broken", "redis slow"]}\ncurl: (22) The requested URL returned error: 503';
    expect(reasonIn(output)).toBe('release v1.5.0 is broken; redis slow');
    expect(reasonIn('{"status": "degraded"}')).toBe('status degraded');
    expect(reasonIn('{"error": "db down"}')).toBe('db down');
  });

  test('without JSON, the last line that says something failed, else the last line', () => {
    expect(reasonIn('connecting\nERROR: connection refused\nretrying later')).toBe(
      'ERROR: connection refused',
    );
    expect(reasonIn('one\ntwo\n')).toBe('two');
    expect(reasonIn('')).toBeUndefined();
    expect(reasonIn(`${'x'.repeat(500)} failed`)?.length).toBeLessThanOrEqual(241);
  });

  test('error-level log lines, as their message; INFO and the word "error" in prose are not', () => {
    const log = [
      '2026-11-26 03:00:01 INFO started',
      '2026-11-26 03:00:02 ERROR health check failed: migration 0042',
      'level=error msg="pool exhausted"',
      'FATAL: password authentication failed',
      'no errors found',
    ].join('\n');
    expect(errorLines(log)).toEqual([
      'health check failed: migration 0042',
      'msg="pool exhausted"',
      'password authentication failed',
    ]);
  });

  test('a step that could not look (no connection, timeout, program missing) is never a finding', () => {
    expect(couldNotRun(result('ssh-error', undefined))).toBe(true);
    expect(couldNotRun(result('timeout', undefined))).toBe(true);
    expect(couldNotRun(result('failed', 127, 'bash: pg_isready: command not found'))).toBe(true);
    expect(couldNotRun(result('failed', 1, 'no response'))).toBe(false);
    const steps = [
      { step: { name: 'Missing tool' }, result: result('failed', 127, 'command not found') },
      { step: { name: 'Health' }, result: result('failed', 22, '{"reason": "503 from upstream"}') },
      { step: { name: 'Logs' }, result: result('ok', 0, 'x ERROR boom\ny ERROR boom\nz ERROR other') },
      { step: { name: 'Clean' }, result: result('ok', 0, 'all fine') },
      { step: { name: 'Not run' }, result: undefined },
    ];
    expect(findingsOf(steps)).toEqual([
      { step: 'Health', text: 'exit 22: 503 from upstream' },
      { step: 'Logs', text: '3 error lines (2 distinct): boom' },
    ]);
  });
});
