import type { Threshold } from '../config/runbook.schema.ts';
import { histogramQuantile, metricValue, parsePrometheus } from './metrics.ts';

export interface ThresholdResult {
  name: string;
  value: number | undefined;
  max: number;
  unit: string;
  healthy: boolean;
}

/** Compares the scraped metrics with the runbook's alert thresholds. A missing metric is unhealthy. */
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
    return {
      name: threshold.name,
      value,
      max: threshold.max,
      unit: threshold.unit,
      healthy: value !== undefined && value <= threshold.max,
    };
  });
}

export function formatThreshold(result: ThresholdResult): string {
  const shown =
    result.value === undefined
      ? 'missing'
      : `${Number(result.value.toPrecision(3))}${result.unit ? ' ' + result.unit : ''}`;
  return `${result.healthy ? '✅' : '❌'} ${result.name}: ${shown} (healthy at most ${result.max}${result.unit ? ' ' + result.unit : ''})`;
}
