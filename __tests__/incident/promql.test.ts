import { parseRunbook } from '../../src/config/runbook.ts';
import type { Threshold } from '../../src/config/runbook.schema.ts';
import { evaluatePromql, formatThreshold, promqlScript } from '../../src/incident/verify.ts';
import { bindCommand } from '../../src/commands/bind.ts';
import { extractCommandLines } from '../../src/commands/extract.ts';
import { commandRegistry } from '../../src/commands/registry.ts';
import { renderResult } from '../../src/report/result.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';
import { planCommand } from '../../src/runbook/plan.ts';

const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
if (!parsed.ok) throw new Error('built-in runbook invalid');
const metrics = parsed.runbook.verification!.metrics!;
const thresholds = metrics.thresholds;

const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((value, index) => ({
        metric: { job: 'slack-kb-agent', instance: `127.0.0.${index + 1}:9090` },
        value: [1764650000.123, value],
      })),
    },
  });

/** What the host prints for promqlScript: a marker line, then Prometheus's answer, per threshold. */
function output(answers: string[]): string {
  return answers.map((answer, index) => `### incident-issueops threshold ${index}\n${answer}\n`).join('');
}

describe('verification through PromQL', () => {
  test("the built-in runbook evaluates the runbook's own expressions through Prometheus", () => {
    expect(metrics.prometheus).toBe('$PROMETHEUS_URL');
    expect(thresholds.map((threshold) => threshold.query)).toEqual([
      'up{job="slack-kb-agent"}',
      'rate(slack_kb_agent_errors_total[5m])',
      'histogram_quantile(0.95, rate(slack_kb_agent_query_duration_seconds_bucket[5m]))',
      'slack_kb_agent_memory_usage_bytes / slack_kb_agent_memory_limit_bytes',
    ]);
  });

  test('the script asks each query as one quoted word and fails clearly when Prometheus is not set', () => {
    const script = promqlScript(metrics);
    expect(script).toContain(`: "\${PROMETHEUS_URL:?is not set on this host`);
    expect(script).toContain(`--data-urlencode 'query=up{job="slack-kb-agent"}' "$prometheus/api/v1/query"`);
    expect(script.match(/curl /g)).toHaveLength(4);
    const quoted = promqlScript({
      ...metrics,
      prometheus: 'http://127.0.0.1:9091/',
      thresholds: [{ name: 'x', query: "sum(up{job='a'}) or vector(0)", max: 1, unit: '' }],
    });
    expect(quoted).toContain("prometheus='http://127.0.0.1:9091'");
    expect(quoted).toContain(`'query=sum(up{job='\\''a'\\''}) or vector(0)'`);
  });

  test('a healthy service passes every threshold; the worst series decides', () => {
    const results = evaluatePromql(
      output([vector('1', '1'), vector('0', '0.02'), vector('0.31'), vector('0.12')]),
      thresholds,
    );
    expect(results.map((result) => [result.name, result.healthy, result.value])).toEqual([
      ['Application up', true, 1],
      ['Error rate', true, 0.02],
      ['p95 response time', true, 0.31],
      ['Memory usage', true, 0.12],
    ]);
    expect(formatThreshold(results[1]!)).toBe('✅ Error rate: 0.02 errors/s (healthy at most 0.1 errors/s)');
    expect(formatThreshold(results[0]!)).toBe('✅ Application up: 1 (healthy at least 1)');
  });

  test('one instance down, a high rate, a slow p95: each is named with its value', () => {
    const results = evaluatePromql(
      output([vector('1', '0'), vector('0.35'), vector('4.2'), vector('0.95')]),
      thresholds,
    );
    expect(results.map((result) => formatThreshold(result))).toEqual([
      '❌ Application up: 0 (healthy at least 1)',
      '❌ Error rate: 0.35 errors/s (healthy at most 0.1 errors/s)',
      '❌ p95 response time: 4.2 s (healthy at most 2 s)',
      '❌ Memory usage: 95 % (healthy at most 90 %)',
    ]);
  });

  test('no series is unhealthy; no samples in the window (NaN) is shown and not counted', () => {
    const results = evaluatePromql(output([vector(), vector('0'), vector('NaN'), vector('0.1')]), thresholds);
    expect(results[0]).toMatchObject({ healthy: false, value: undefined, note: 'no series match the query' });
    expect(results[2]).toMatchObject({ healthy: true, value: undefined });
    expect(formatThreshold(results[2]!)).toBe(
      '⚪ p95 response time: no samples in the window (nothing to compare; not counted) (healthy at most 2 s)',
    );
  });

  test('what Prometheus refuses, garbles or leaves out is a failed threshold that says so', () => {
    const results = evaluatePromql(
      output([
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }),
        '<html>502 Bad Gateway</html>',
        JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
        JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ value: 'x' }] } }),
      ]),
      thresholds,
    );
    expect(results.map((result) => [result.healthy, result.note])).toEqual([
      [false, 'Prometheus refused the query: `parse error at char 4`'],
      [false, 'Prometheus answered something that is not JSON'],
      [false, 'the query gives a matrix, not a number per series'],
      [false, 'Prometheus answered in an unknown shape'],
    ]);
    expect(evaluatePromql('', thresholds).every((result) => !result.healthy)).toBe(true);
  });

  test('a marker line inside an answer cannot be forged from a label value', () => {
    // JSON escapes newlines inside strings, so a label cannot start a line of its own.
    const sneaky = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { x: '\n### incident-issueops threshold 1\n' }, value: [1, '1'] }],
      },
    });
    const results = evaluatePromql(output([sneaky, vector('0.5')]), thresholds.slice(0, 2));
    expect(results.map((result) => result.healthy)).toEqual([true, false]);
  });

  test('a later answer cannot replace an earlier one with a marker line of its own', () => {
    // A hostile Prometheus need not escape newlines: its last answer carries a forged answer 0.
    const forged = `${vector('0.5')}\n### incident-issueops threshold 0\n${vector('1')}`;
    const results = evaluatePromql(output([vector('0'), forged]), thresholds.slice(0, 2));
    expect(results.map((result) => [result.healthy, result.value])).toEqual([
      [false, 0],
      [false, 0.5],
    ]);
  });

  test.each(['', ' ', '0x1', '1e', 'one'])(
    'a sample that is not a number (%j) is never a healthy 0',
    (text) => {
      const [result] = evaluatePromql(output([vector(text)]), [thresholds[1]!]);
      expect(result).toMatchObject({ value: undefined, healthy: true });
      expect(result?.note).toContain('no samples');
    },
  );

  test('min and max together bound both ways', () => {
    const both: Threshold[] = [{ name: 'Replicas', query: 'count(up)', min: 2, max: 4, unit: '' }];
    expect(evaluatePromql(output([vector('5')]), both)[0]!.healthy).toBe(false);
    expect(evaluatePromql(output([vector('1')]), both)[0]!.healthy).toBe(false);
    expect(formatThreshold(evaluatePromql(output([vector('3')]), both)[0]!)).toBe(
      '✅ Replicas: 3 (healthy from 2 to 4)',
    );
  });
});

describe('/status reads the same thresholds through Prometheus', () => {
  const ssh = {
    host: 'kb-vm',
    port: 22,
    user: 'deploy',
    privateKey: '',
    knownHosts: '',
    jumpHost: undefined,
    insecureSkipHostKeyCheck: false,
  };
  const [line] = extractCommandLines('/status');
  const bound = bindCommand(line!, commandRegistry(parsed.runbook));
  if (!bound.ok) throw new Error(bound.error.message);
  const planned = planCommand(bound.command, parsed.runbook, ssh, 300);
  if (!planned.ok) throw new Error(planned.message);
  const plan = planned.plan;

  const rendered = (answers: string[]) => {
    const text = output(answers);
    return renderResult({
      plan,
      status: 'success',
      requestedBy: 'alice',
      confirmedBy: undefined,
      sourceCommentUrl: undefined,
      runUrl: 'https://github.com/acme/kb/actions/runs/9',
      steps: [
        {
          step: plan.steps[0]!,
          kind: 'step',
          result: {
            outcome: 'ok',
            exitCode: 0,
            output: text,
            totalBytes: text.length,
            omittedBytes: 0,
            durationMs: 300,
          },
        },
      ],
      durationMs: 400,
      exitCode: 0,
      warnings: [],
      summary: '',
    });
  };

  test('one failed query costs its own threshold; only all of them failing fails the step', () => {
    const script = promqlScript(metrics);
    expect(script.match(/\|\| failed=\$\(\(failed \+ 1\)\)/g)).toHaveLength(4);
    expect(script.trimEnd().split('\n').at(-1)).toBe('[ "$failed" -lt 4 ]');
  });

  test("its first step asks Prometheus the verification's queries", () => {
    expect(plan.steps[0]).toMatchObject({ name: 'Key metrics', script: promqlScript(metrics) });
    expect(plan.steps[0]!.metrics).toBe(metrics);
  });

  test('the comment shows each value against its threshold, the breach in the headline, no raw JSON', () => {
    const body = rendered([vector('1'), vector('0.02', '0.5'), vector('0.3'), vector('0.4')]);
    expect(body).toContain('⚠️ Key metrics: 1 of 4 outside their thresholds (Error rate) (exit 0, 300 ms)');
    expect(body).toContain('- ❌ Error rate: 0.5 errors/s (healthy at most 0.1 errors/s)');
    expect(body).toContain('- ✅ Application up: 1 (healthy at least 1)');
    expect(body).toContain("PromQL over Prometheus's stored series, $PROMETHEUS_URL");
    expect(body).not.toContain('"resultType"');
    expect(rendered([vector('1'), vector('0'), vector('0.3'), vector('0.4')])).toContain(
      '✅ Key metrics: all 4 within their thresholds',
    );
    // An idle service has no p95: not measured is said, never counted as within.
    expect(rendered([vector('1'), vector('0'), vector('NaN'), vector('0.4')])).toContain(
      '✅ Key metrics: 3 within their thresholds, 1 not measured (no samples)',
    );
  });

  test("a hostile Prometheus's error text is shown as text, never as Markdown", () => {
    const body = rendered([
      JSON.stringify({
        status: 'error',
        error: '@everyone <img src=x onerror=alert(1)> [click](https://evil.example)',
      }),
    ]);
    expect(body).toContain(
      '❌ Application up: Prometheus refused the query: `@everyone <img src=x onerror=alert(1)> [click](https://evil.example)`',
    );
  });
});
