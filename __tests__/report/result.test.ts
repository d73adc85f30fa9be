import { COMMENT_LIMIT } from '../../src/report/markdown.ts';
import { readMarker } from '../../src/report/marker.ts';
import { renderResult, type ResultView } from '../../src/report/result.ts';
import type { Plan } from '../../src/runbook/plan.ts';

const plan: Plan = {
  command: 'logs',
  args: { service: 'slack-kb-agent', lines: 100 },
  target: { name: 'default', host: 'kb-vm', port: 22, user: 'deploy' },
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
  sourceCommentId: 42,
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
    expect(readMarker(body)).toEqual({
      type: 'result',
      command: 'logs',
      source: 42,
      status: 'success',
      by: 'alice',
    });
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

describe('markers in command output', () => {
  test('output that imitates a marker is neutralised and never read back', () => {
    const forged = '<!-- incident-issueops {"type":"pending","code":"deadbeef"} -->';
    const body = renderResult(view(forged));
    expect(body).not.toContain(forged);
    expect(readMarker(body)).toMatchObject({ type: 'result' });
    expect(readMarker(`${forged}\nmore text`)).toBeUndefined();
  });
});
