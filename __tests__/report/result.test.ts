import { COMMENT_LIMIT } from '../../src/report/markdown.ts';
import { composeBody, readBody } from '../../src/records/codec.ts';
import { createSealer } from '../../src/records/seal.ts';
import { renderResult, type ResultView } from '../../src/report/result.ts';
import type { Plan } from '../../src/runbook/plan.ts';

const plan: Plan = {
  command: 'logs',
  args: { service: 'slack-kb-agent', lines: 100 },
  target: { name: 'default', host: 'kb-vm', port: 22, user: 'deploy', env: {} },
  steps: [{ name: 'Logs', script: 'docker logs', continueOnError: false, destructive: false }],
  check: undefined,
  timeoutSeconds: 60,
  destructive: false,
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
    expect(body).toContain(
      '| Requested by | @alice in [this comment](https://github.com/acme/kb/issues/1#issuecomment-42) |',
    );
    expect(body).toContain('| Target | `deploy@kb-vm:22` (default) |');
    expect(body).toContain('| Duration | 1.5 s |');
    expect(body).toContain('| Exit code | 0 |');
    expect(body).toContain('[workflow run](https://github.com/acme/kb/actions/runs/9)');
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
