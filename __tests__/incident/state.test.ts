import type { Threshold } from '../../src/config/runbook.schema.ts';
import { parseRunbook } from '../../src/config/runbook.ts';
import { collectFacts } from '../../src/incident/facts.ts';
import { histogramQuantile, parsePrometheus } from '../../src/incident/metrics.ts';
import { assessTargets } from '../../src/incident/sla.ts';
import { reduceIncident } from '../../src/incident/state.ts';
import { parseImpactStart } from '../../src/incident/time.ts';
import { evaluateThresholds } from '../../src/incident/verify.ts';
import { composeBody, type RecordContent } from '../../src/records/codec.ts';
import { readRecords } from '../../src/records/read.ts';
import { createSealer } from '../../src/records/seal.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';

const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
if (!parsed.ok) throw new Error('built-in runbook invalid');
const p0 = parsed.runbook.severities.p0!;
const T0 = '2026-11-26T03:00:00Z';
const minutes = (n: number) => new Date(Date.parse(T0) + n * 60_000);
const sealer = createSealer('a test record secret of at least thirty-two characters', 'acme/kb');
const scope = { sealer, issueNumber: 1 };
const own = (id: number, at: Date, content: RecordContent) => ({
  id,
  body: composeBody('text', content, scope),
  author: 'github-actions[bot]',
  authorType: 'Bot',
  authorAssociation: 'NONE',
  createdAt: at.toISOString(),
  updatedAt: at.toISOString(),
  htmlUrl: `https://github.com/acme/kb/issues/1#issuecomment-${id}`,
  reactions: {},
});

function incidentWith(
  comments: ReturnType<typeof own>[],
  extraEvents: { event: string; actor: string; createdAt: string; label?: string }[] = [],
) {
  const { records } = readRecords(comments, { selfLogin: 'github-actions[bot]', scope });
  return reduceIncident(
    collectFacts({
      events: [{ event: 'labeled', actor: 'alice', createdAt: T0, label: 'incident:p0' }, ...extraEvents],
      records,
      selfLogin: 'github-actions[bot]',
      labelPrefix: 'incident:',
    }),
  );
}

describe('the incident reducer and its targets', () => {
  test('acknowledgement and updates drive the targets; a reminder is due once per missed interval', () => {
    const incident = incidentWith([
      own(1, minutes(2), { kind: 'acknowledged', by: 'alice', at: minutes(2).toISOString() }),
      own(2, minutes(10), {
        kind: 'update',
        by: 'dana',
        at: minutes(10).toISOString(),
        text: 'rolling back',
      }),
    ]);
    expect(incident.acknowledgedAt).toEqual(minutes(2));
    expect(assessTargets(incident, p0, minutes(39))?.reminderDue).toBe(false);
    const late = assessTargets(incident, p0, minutes(40));
    expect(late).toMatchObject({ reminderDue: true, updateOverdue: false, escalationDue: false });
    expect(late?.acknowledge.breached).toBe(false);
    const reminded = incidentWith([
      own(1, minutes(2), { kind: 'acknowledged', by: 'alice', at: minutes(2).toISOString() }),
      own(2, minutes(10), {
        kind: 'update',
        by: 'dana',
        at: minutes(10).toISOString(),
        text: 'x',
      }),
      own(3, minutes(41), {
        kind: 'reminder',
        by: 'github-actions[bot]',
        at: minutes(41).toISOString(),
      }),
    ]);
    expect(assessTargets(reminded, p0, minutes(60))?.reminderDue).toBe(false);
    expect(assessTargets(reminded, p0, minutes(71))?.reminderDue).toBe(true);
  });

  test('an unacknowledged incident is due for escalation after the acknowledgement target, once', () => {
    expect(assessTargets(incidentWith([]), p0, minutes(5))?.escalationDue).toBe(false);
    expect(assessTargets(incidentWith([]), p0, minutes(6))?.escalationDue).toBe(true);
    const escalated = incidentWith([
      own(1, minutes(6), {
        kind: 'escalation',
        by: 'github-actions[bot]',
        at: minutes(6).toISOString(),
      }),
    ]);
    expect(assessTargets(escalated, p0, minutes(9))?.escalationDue).toBe(false);
  });

  test('records on comments by anyone but the action are ignored, even when sealed', () => {
    const spoof = {
      ...own(1, minutes(1), {
        kind: 'resolved',
        by: 'mallory',
        at: minutes(1).toISOString(),
        forced: false,
      }),
      author: 'mallory',
    };
    expect(incidentWith([spoof]).phase).toBe('investigating');
  });

  test('closing by hand resolves; reopening resumes', () => {
    const closed = incidentWith(
      [],
      [{ event: 'closed', actor: 'dana', createdAt: minutes(20).toISOString() }],
    );
    expect(closed).toMatchObject({ phase: 'resolved', closedByHand: true, resolvedBy: 'dana' });
    const reopened = incidentWith(
      [],
      [
        { event: 'closed', actor: 'dana', createdAt: minutes(20).toISOString() },
        { event: 'reopened', actor: 'alice', createdAt: minutes(25).toISOString() },
      ],
    );
    expect(reopened).toMatchObject({ phase: 'investigating', resolvedAt: undefined });
  });
});

describe('metrics and times', () => {
  const metrics = [
    '# TYPE slack_kb_agent_query_duration_seconds histogram',
    'slack_kb_agent_query_duration_seconds_bucket{le="0.1"} 50',
    'slack_kb_agent_query_duration_seconds_bucket{le="0.5"} 90',
    'slack_kb_agent_query_duration_seconds_bucket{le="2.5"} 100',
    'slack_kb_agent_query_duration_seconds_bucket{le="+Inf"} 100',
    'slack_kb_agent_error_rate 0.25',
    'slack_kb_agent_memory_usage_bytes 600',
    'slack_kb_agent_memory_limit_bytes 1000',
  ].join('\n');

  test('the p95 is interpolated inside its bucket, as histogram_quantile does', () => {
    expect(
      histogramQuantile(parsePrometheus(metrics), 'slack_kb_agent_query_duration_seconds', 0.95),
    ).toBeCloseTo(1.5);
  });

  // A runbook without Prometheus: its thresholds read one scrape of the metrics.
  const scraped: Threshold[] = [
    { name: 'Error rate', metric: 'slack_kb_agent_error_rate', max: 0.1, unit: 'errors/s' },
    {
      name: 'p95 response time',
      histogram: 'slack_kb_agent_query_duration_seconds',
      quantile: 0.95,
      max: 2,
      unit: 's',
    },
    {
      name: 'Memory usage',
      ratio: ['slack_kb_agent_memory_usage_bytes', 'slack_kb_agent_memory_limit_bytes'],
      max: 0.9,
      unit: '',
    },
  ];

  test('thresholds read from one scrape say what is unhealthy', () => {
    const results = evaluateThresholds(metrics, scraped);
    expect(results.map((result) => [result.name, result.healthy])).toEqual([
      ['Error rate', false],
      ['p95 response time', true],
      ['Memory usage', true],
    ]);
    expect(evaluateThresholds('', scraped).every((r) => !r.healthy)).toBe(true);
  });

  test('impact start accepts ISO times, clock times and offsets, never the future', () => {
    const now = new Date('2026-11-26T03:30:00Z');
    expect(parseImpactStart('-25m', now)?.toISOString()).toBe('2026-11-26T03:05:00.000Z');
    expect(parseImpactStart('02:50', now)?.toISOString()).toBe('2026-11-26T02:50:00.000Z');
    expect(parseImpactStart('23:50', now)?.toISOString()).toBe('2026-11-25T23:50:00.000Z');
    expect(parseImpactStart('2026-11-26T02:40Z', now)?.toISOString()).toBe('2026-11-26T02:40:00.000Z');
    expect(parseImpactStart('2026-11-27T02:40Z', now)).toBeUndefined();
  });
});
