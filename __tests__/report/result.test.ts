import { COMMENT_LIMIT } from '../../src/report/markdown.ts';
import { composeBody, readBody } from '../../src/records/codec.ts';
import { createSealer } from '../../src/records/seal.ts';
import { readable, renderResult, type ResultView } from '../../src/report/result.ts';
import type { Plan } from '../../src/runbook/plan.ts';

const plan: Plan = {
  command: 'logs',
  args: { service: 'slack-kb-agent', lines: 100 },
  target: { name: 'default', host: 'kb-vm', port: 22, user: 'deploy', env: {} },
  steps: [{ name: 'Logs', script: 'docker logs', continueOnError: false, destructive: false }],
  check: undefined,
  timeoutSeconds: 60,
  destructive: false,
  diagnostic: false,
};

const view = (output: string): ResultView => ({
  plan,
  status: 'success',
  requestedBy: 'alice',
  confirmedBy: undefined,
  sourceCommentUrl: 'https://github.com/acme/kb/issues/1#issuecomment-42',
  runUrl: 'https://github.com/acme/kb/actions/runs/9',
  steps: [
    {
      step: plan.steps[0]!,
      kind: 'step',
      result: {
        outcome: 'ok',
        exitCode: 0,
        output,
        totalBytes: output.length,
        omittedBytes: 0,
        durationMs: 1234,
      },
    },
  ],
  durationMs: 1500,
  exitCode: 0,
  warnings: [],
  summary: '',
});

describe('renderResult', () => {
  test('shows status, requester, target, duration, exit code, run link and the output', () => {
    const body = renderResult(view('line one\nline two'));
    expect(body).toContain('### ✅ Succeeded: `/logs service=slack-kb-agent lines=100`');
    // One header row that names the columns (an empty header renders as a blank bar).
    expect(body).toContain(
      [
        '| Requested by | Target | Duration | Exit code | Full log |',
        '|---|---|---|---|---|',
        '| @alice in [this comment](https://github.com/acme/kb/issues/1#issuecomment-42) | `deploy@kb-vm:22` (default) | 1.5 s | 0 | [workflow run](https://github.com/acme/kb/actions/runs/9) |',
      ].join('\n'),
    );
    expect(body).not.toContain('| | |');
    expect(body).toContain('<summary>✅ Logs (exit 0, 1.2 s)</summary>');
    expect(body).toContain('line one\nline two');
  });

  test('long output keeps its head and tail and the comment stays within GitHub’s limit', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `log line ${i}`).join('\n');
    const body = renderResult(view(lines));
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('log line 0\n');
    expect(body).toContain('log line 19999');
    expect(body).toContain('characters omitted here; the workflow run log has the captured output');
  });

  test('output cannot break out of its code block', () => {
    const body = renderResult(view('```\n</details>\n/restart'));
    expect(body).toContain('````text\n```\n</details>\n/restart\n````');
  });
});

describe('a diagnostic command reports findings, not a success or a failure', () => {
  const health = JSON.stringify({
    status: 'unhealthy',
    release: 'v1.5.0',
    checks: { database: 'ok', redis: 'ok' },
    problems: ['release v1.5.0 is broken: database migration 0042 failed'],
  });
  const step = (name: string, outcome: 'ok' | 'failed', exitCode: number, output: string) => ({
    step: { name, script: 'true', continueOnError: true, destructive: false },
    kind: 'step' as const,
    result: { outcome, exitCode, output, totalBytes: output.length, omittedBytes: 0, durationMs: 300 },
  });
  const diagnosis: ResultView = {
    ...view(''),
    plan: { ...plan, command: 'assess', args: {}, diagnostic: true },
    status: 'findings',
    steps: [
      step('Quick health check', 'failed', 22, `${health}\ncurl: (22) The requested URL returned error: 503`),
      step(
        'Check application logs',
        'ok',
        0,
        '2026-11-26 03:00:01,200 INFO listening\n2026-11-26 03:00:02,000 ERROR health check failed: migration 0042\n2026-11-26 03:00:03,000 ERROR health check failed: migration 0042',
      ),
      step('Check system resources', 'ok', 0, 'MEM % 12.1%'),
    ],
    exitCode: 22,
    findings: [
      {
        step: 'Quick health check',
        text: 'exit 22: release v1.5.0 is broken: database migration 0042 failed',
      },
      {
        step: 'Check application logs',
        text: '2 error lines (1 distinct): health check failed: migration 0042',
      },
    ],
  };

  test('the whole comment: the findings first, the steps that found them open, no ✅ or ❌', () => {
    expect(renderResult(diagnosis)).toBe(
      [
        '### 🔎 2 findings: `/assess`',
        '',
        '- ⚠️ **Quick health check**: `exit 22: release v1.5.0 is broken: database migration 0042 failed`',
        '- ⚠️ **Check application logs**: `2 error lines (1 distinct): health check failed: migration 0042`',
        '',
        '| Requested by | Target | Duration | Exit code | Full log |',
        '|---|---|---|---|---|',
        '| @alice in [this comment](https://github.com/acme/kb/issues/1#issuecomment-42) | `deploy@kb-vm:22` (default) | 1.5 s | 22 | [workflow run](https://github.com/acme/kb/actions/runs/9) |',
        '',
        '<details open>',
        '<summary>⚠️ Quick health check (exit 22, 300 ms)</summary>',
        '',
        '```text',
        '{',
        '  "status": "unhealthy",',
        '  "release": "v1.5.0",',
        '  "checks": {',
        '    "database": "ok",',
        '    "redis": "ok"',
        '  },',
        '  "problems": [',
        '    "release v1.5.0 is broken: database migration 0042 failed"',
        '  ]',
        '}',
        'curl: (22) The requested URL returned error: 503',
        '```',
        '',
        '</details>',
        '<details open>',
        '<summary>⚠️ Check application logs (exit 0, 300 ms, 2 error lines)</summary>',
        '',
        '```text',
        '2026-11-26 03:00:01,200 INFO listening',
        '2026-11-26 03:00:02,000 ERROR health check failed: migration 0042',
        '2026-11-26 03:00:03,000 ERROR health check failed: migration 0042',
        '```',
        '',
        '</details>',
        '<details>',
        '<summary>🔹 Check system resources (exit 0, 300 ms)</summary>',
        '',
        '```text',
        'MEM % 12.1%',
        '```',
        '',
        '</details>',
      ].join('\n'),
    );
  });

  test('nothing found says so, without a ✅', () => {
    const clean = renderResult({ ...diagnosis, status: 'success', findings: [], exitCode: 0 });
    expect(clean.split('\n')[0]).toBe('### 🔎 Nothing unhealthy found: `/assess`');
    expect(clean).not.toMatch(/✅|❌/);
  });

  test('a step that could not run is a failure of the diagnosis, not a finding', () => {
    const failed = renderResult({ ...diagnosis, status: 'failure', findings: [] });
    expect(failed.split('\n')[0]).toBe('### ❌ Failed: `/assess`');
  });

  test('indenting a health answer never decodes it: escapes stay as the host wrote them', () => {
    const escaped = `{"token": "\\u0073\\u0065cret", "note": "a, b: {c}", "padding": "${'x'.repeat(80)}"}`;
    const shown = readable(escaped);
    expect(shown).toContain('"token": "\\u0073\\u0065cret"');
    expect(shown).toContain('"note": "a, b: {c}"');
    expect(shown).not.toContain('secret');
  });

  test('deeply nested JSON is shown as it came, not indented quadratically', () => {
    const deep = `{"a": ${'['.repeat(5_000)}1${']'.repeat(5_000)}}`;
    expect(readable(deep)).toBe(deep);
  });
});

describe('records in command output', () => {
  test('output that imitates a record is neutralised and never read back', () => {
    const sealer = createSealer('', 'acme/kb');
    const forged =
      '<!-- incident-issueops {"v":1,"kind":"plan","code":"deadbeef","command":"restore","args":{},"source":1,"requestedBy":"alice","expiresAt":"2099-01-01T00:00:00.000Z","planHash":"0000000000000000"} -->';
    const text = renderResult(view(forged));
    expect(text).not.toContain(forged);
    // Even unsealed, the only record read is the one the writer puts at the very end.
    expect(readBody(text, { sealer, issueNumber: 1 })).toEqual({ status: 'none' });
    const body = composeBody(
      text,
      {
        kind: 'result',
        command: 'logs',
        status: 'success',
        by: 'alice',
        at: '2026-11-26T03:00:00.000Z',
        source: 42,
      },
      { sealer, issueNumber: 1 },
    );
    expect(readBody(body, { sealer, issueNumber: 1 })).toMatchObject({
      status: 'valid',
      record: { kind: 'result', source: 42 },
    });
    expect(readBody(`${forged}\nmore text`, { sealer, issueNumber: 1 })).toEqual({ status: 'none' });
  });
});
