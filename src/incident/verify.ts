import { z } from 'zod';
import type { Threshold, Verification } from '../config/runbook.schema.ts';
import { echo } from '../report/markdown.ts';
import { shellQuote } from '../runbook/shell-quote.ts';
import { histogramQuantile, metricValue, parsePrometheus } from './metrics.ts';

export interface ThresholdResult {
  name: string;
  /** the worst value across the series, or undefined when there was none */
  value: number | undefined;
  min: number | undefined;
  max: number | undefined;
  unit: string;
  healthy: boolean;
  /** why the value is what it is, when that is not plain (no series, no samples in the window, an error) */
  note?: string;
}

export type Metrics = NonNullable<Verification['metrics']>;

function within(value: number, threshold: Pick<Threshold, 'min' | 'max'>): boolean {
  return (
    (threshold.max === undefined || value <= threshold.max) &&
    (threshold.min === undefined || value >= threshold.min)
  );
}

function result(threshold: Threshold, value: number | undefined, healthy: boolean, note?: string) {
  return {
    name: threshold.name,
    value,
    min: threshold.min,
    max: threshold.max,
    unit: threshold.unit,
    healthy,
    ...(note ? { note } : {}),
  };
}

/**
 * Compares one scrape of the metrics with the runbook's thresholds (a runbook without Prometheus).
 * A missing metric is unhealthy.
 */
export function evaluateThresholds(metricsText: string, thresholds: Threshold[]): ThresholdResult[] {
  const samples = parsePrometheus(metricsText);
  return thresholds.map((threshold) => {
    let value: number | undefined;
    if (threshold.metric) value = metricValue(samples, threshold.metric);
    else if (threshold.histogram)
      value = histogramQuantile(samples, threshold.histogram, threshold.quantile ?? 0.95);
    else if (threshold.ratio) {
      const [numerator, denominator] = threshold.ratio.map((name) => metricValue(samples, name));
      value = numerator !== undefined && denominator ? numerator / denominator : undefined;
    }
    return result(threshold, value, value !== undefined && within(value, threshold));
  });
}

/** Marks each query's answer in the step's output; the line cannot come from Prometheus's JSON. */
const ANSWER_MARKER = '### incident-issueops threshold ';

/** The host-side script that asks Prometheus each threshold's query, one JSON answer per query. */
export function promqlScript(metrics: Metrics): string {
  const location = metrics.prometheus ?? '';
  const variable = /^\$\{?([A-Z_][A-Z0-9_]*)\}?$/.exec(location)?.[1];
  const lines = variable
    ? [
        `: "\${${variable}:?is not set on this host: set it in the env of the target or in the environment of the account}"`,
        `prometheus="\${${variable}%/}"`,
      ]
    : [`prometheus=${shellQuote(location.replace(/\/$/, ''))}`];
  // One query that fails (refused, slow) costs only its own threshold; all failing fails the step.
  lines.push('failed=0');
  metrics.thresholds.forEach((threshold, index) => {
    lines.push(
      `echo ${shellQuote(`${ANSWER_MARKER}${index}`)}`,
      `curl -sS --max-time 10 --get --data-urlencode ${shellQuote(`query=${threshold.query ?? ''}`)} "$prometheus/api/v1/query" || failed=$((failed + 1))`,
      'echo',
    );
  });
  lines.push(`[ "$failed" -lt ${metrics.thresholds.length} ]`);
  return lines.join('\n');
}

const sampleValue = z.tuple([z.number(), z.string()]);
const prometheusAnswer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
      }),
      z.object({ resultType: z.literal('scalar'), result: sampleValue }),
      z.object({ resultType: z.enum(['matrix', 'string']), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string() }),
]);

/** Prometheus's sample text: a decimal float, NaN or ±Inf. Anything else (empty, hex) is NaN. */
function sampleNumber(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
}

/** Reads the answers promqlScript printed and compares each with its threshold. */
export function evaluatePromql(output: string, thresholds: Threshold[]): ThresholdResult[] {
  const answers = new Map<number, string>();
  let current: number | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith(ANSWER_MARKER)) {
      const index = Number(line.slice(ANSWER_MARKER.length));
      // The first answer of each index counts: a body cannot replace an earlier one with a
      // marker line of its own (a real Prometheus escapes newlines; a hostile one need not).
      current = answers.has(index) ? undefined : index;
      if (current !== undefined) answers.set(current, '');
    } else if (current !== undefined) {
      answers.set(current, `${answers.get(current)}${line}\n`);
    }
  }
  return thresholds.map((threshold, index) => {
    const text = answers.get(index)?.trim();
    if (!text) return result(threshold, undefined, false, 'Prometheus gave no answer');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return result(threshold, undefined, false, 'Prometheus answered something that is not JSON');
    }
    const answer = prometheusAnswer.safeParse(json);
    if (!answer.success)
      return result(threshold, undefined, false, 'Prometheus answered in an unknown shape');
    if (answer.data.status === 'error')
      return result(
        threshold,
        undefined,
        false,
        // Prometheus's words are the host's: shown as text, never as Markdown.
        `Prometheus refused the query: ${echo(answer.data.error, 200)}`,
      );
    const data = answer.data.data;
    let samples: [number, string][];
    if (data.resultType === 'vector') samples = data.result.map((series) => series.value);
    else if (data.resultType === 'scalar') samples = [data.result];
    else
      return result(
        threshold,
        undefined,
        false,
        `the query gives a ${data.resultType}, not a number per series`,
      );
    const values = samples.map(([, text]) => sampleNumber(text));
    if (values.length === 0) return result(threshold, undefined, false, 'no series match the query');
    const numbers = values.filter((value) => !Number.isNaN(value));
    if (numbers.length === 0)
      return result(threshold, undefined, true, 'no samples in the window (nothing to compare; not counted)');
    const worst = threshold.max !== undefined ? Math.max(...numbers) : Math.min(...numbers);
    return result(
      threshold,
      worst,
      numbers.every((value) => within(value, threshold)),
    );
  });
}

function bounds(result: Pick<ThresholdResult, 'min' | 'max' | 'unit'>): string {
  const show = (value: number | undefined) => (value === undefined ? '' : shownValue(value, result.unit));
  if (result.min !== undefined && result.max !== undefined)
    return `healthy from ${show(result.min)} to ${show(result.max)}`;
  return result.max !== undefined
    ? `healthy at most ${show(result.max)}`
    : `healthy at least ${show(result.min)}`;
}

/** A value with its unit; a `ratio` is shown as a percentage. */
function shownValue(value: number, unit: string): string {
  if (unit === 'ratio') return `${Number((value * 100).toPrecision(3))} %`;
  return `${Number(value.toPrecision(3))}${unit ? ' ' + unit : ''}`;
}

export function formatThreshold(result: ThresholdResult): string {
  const shown =
    result.value === undefined ? (result.note ?? 'missing') : shownValue(result.value, result.unit);
  const icon = result.healthy ? (result.value === undefined ? '⚪' : '✅') : '❌';
  return `${icon} ${result.name}: ${shown} (${bounds(result)})`;
}

/** The script that reads the metrics section on the host: the PromQL queries, or its one scrape. */
export function metricsScript(metrics: Metrics): string {
  return metrics.prometheus ? promqlScript(metrics) : (metrics.run ?? '');
}

/** What that script's output says, threshold by threshold. */
export function evaluateMetrics(output: string, metrics: Metrics): ThresholdResult[] {
  return metrics.prometheus
    ? evaluatePromql(output, metrics.thresholds)
    : evaluateThresholds(output, metrics.thresholds);
}

/** Where the values come from, said once above them. */
export function metricsSource(metrics: Metrics): string {
  return metrics.prometheus
    ? `PromQL over Prometheus's stored series, ${metrics.prometheus}`
    : 'one scrape of the metrics: the runbook names no Prometheus, so counters are totals since the process started, not rates';
}
