import { z } from 'zod';
import type { Runbook } from '../../config/runbook.schema.ts';
import type { SshSettings } from '../../config/inputs.ts';
import { evaluateMetrics, formatThreshold, metricsScript, metricsSource } from '../../incident/verify.ts';
import { defineFact } from '../../records/fact.ts';
import { renderResolved, renderVerificationFailed } from '../../report/lifecycle.ts';
import { utc } from '../../report/markdown.ts';
import { resolveTarget, type Plan } from '../../runbook/plan.ts';
import { defineCommand, flag } from '../define.ts';
import { decided, type Decision, type HostResult } from '../effects.ts';
import { factBy, LIFECYCLE_PERMISSION, notDone } from './common.ts';

export const resolvedFact = defineFact(
  'resolved',
  {
    forced: z.boolean(),
    summary: z.string().max(4000).optional(),
    /** What the verification found, step by step, and for the metrics as a whole. */
    checks: z
      .array(z.object({ name: z.string().max(300), ok: z.boolean() }))
      .max(50)
      .optional(),
    metrics: z.enum(['within', 'outside', 'partial', 'unread']).optional(),
    /** The verification's result comment. */
    result: z.url().max(500).optional(),
  },
  (next, fact, { at, log, responder, announce }) => {
    if (next.phase !== 'resolved')
      announce(
        'resolved',
        fact.by,
        fact.summary ?? (fact.forced ? 'verification overridden with --force' : undefined),
      );
    next.phase = 'resolved';
    next.resolvedAt = at;
    next.resolvedBy = fact.by;
    next.resolutionSummary = fact.summary;
    next.forcedResolution = fact.forced;
    next.verified = { checks: fact.checks ?? [], metrics: fact.metrics, result: fact.result };
    next.closedByHand = false;
    if (!next.mitigatedAt) next.mitigatedAt = at;
    responder(fact.by);
    log(
      fact.by,
      fact.forced ? 'Resolved with --force: verification overridden' : 'Resolved: verification passed',
    );
  },
);

export const verificationFailed = defineFact(
  'verification-failed',
  { problems: z.array(z.string().max(4000)).max(50) },
  (_next, fact, { log, responder }) => {
    responder(fact.by);
    log(fact.by, 'Resolution refused: verification failed', fact.problems.join('; '));
  },
);

interface Verification {
  healthy: boolean;
  lines: string[];
  problems: string[];
  checks: { name: string; ok: boolean }[];
  metrics?: 'within' | 'outside' | 'partial' | 'unread';
  result?: string;
  /** When the verification ended (the handler's time when none ran). */
  at?: Date;
}

export const resolve = defineCommand({
  name: 'resolve',
  description: 'Verify health and metrics, then post the postmortem and close the issue',
  permission: LIFECYCLE_PERMISSION,
  args: { force: flag('Resolve even if verification fails (recorded)') },
  text: {
    name: 'summary',
    description: 'One-paragraph summary for the postmortem',
    required: false,
    maxLength: 2000,
  },
  facts: [resolvedFact, verificationFailed],
  handle(input) {
    const { incident } = input.snapshot;
    if (incident.phase === 'resolved')
      return notDone(
        'resolve',
        '/resolve',
        `The incident is already resolved (${utc(incident.resolvedAt ?? input.now)}).`,
      );
    const { force, summary } = input.args;
    const conclude = (verification: Verification): Decision => {
      if (!verification.healthy && !force) {
        const message = verification.problems.join('; ');
        return decided({ status: 'failure', reason: 'verification-failed', command: 'resolve', message }, [
          {
            kind: 'reply',
            text: renderVerificationFailed(verification.lines),
            record: verificationFailed.record({
              ...factBy(input),
              problems: verification.problems.slice(0, 50),
            }),
          },
        ]);
      }
      const forced = force && !verification.healthy;
      return decided(
        {
          status: 'success',
          reason: 'resolved',
          command: 'resolve',
          message: `resolved by @${input.actor}${forced ? ' with --force' : ''}`,
        },
        [
          {
            kind: 'record',
            text: renderResolved({
              by: input.actor,
              forced,
              problems: verification.problems,
              result: verification.result,
              summary,
            }),
            record: resolvedFact.record({
              ...factBy(input),
              at: (verification.at ?? input.now).toISOString(),
              forced,
              ...(summary ? { summary } : {}),
              checks: verification.checks.slice(0, 50),
              ...(verification.metrics ? { metrics: verification.metrics } : {}),
              ...(verification.result ? { result: verification.result } : {}),
            }),
          },
          { kind: 'finalize', verification: verification.lines },
        ],
      );
    };
    const plan = verificationPlan(input.runbook, input.settings.ssh);
    if (!plan)
      return conclude({
        healthy: true,
        lines: ['No verification is defined in the runbook.'],
        problems: [],
        checks: [],
      });
    const spec = input.registry.get('resolve');
    return decided({ status: 'success', reason: 'resolved', command: 'resolve', message: 'verifying' }, [
      {
        kind: 'host',
        plan,
        required: spec ? requiredOf(spec.permission, input.settings.permission) : 'admin',
        purpose: 'verification',
        execution: { user: input.actor },
        then: (result) =>
          conclude({
            ...judge(input.runbook, result),
            // Resolved once the verification is over, after its result on the timeline.
            at: new Date(input.now.getTime() + (result.kind === 'executed' ? result.durationMs : 0)),
          }),
      },
    ]);
  },
});

function requiredOf(own: 'read' | 'triage' | 'write' | 'maintain' | 'admin', floor: typeof own): typeof own {
  const order = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
  return order.indexOf(own) >= order.indexOf(floor) ? own : floor;
}

/** The runbook's resolution verification as a plan: the checks, then the metrics step. */
export function verificationPlan(runbook: Runbook, ssh: SshSettings): Plan | undefined {
  const verification = runbook.verification;
  if (!verification) return undefined;
  return {
    command: 'resolve',
    args: {},
    target: resolveTarget(runbook, verification.target, ssh),
    steps: [
      ...verification.steps.map((step) => ({
        name: step.name,
        script: step.run ?? '', // verification steps are scripts: the schema says so
        continueOnError: true,
        destructive: false,
      })),
      ...(verification.metrics
        ? [
            {
              name: verification.metrics.name,
              script: metricsScript(verification.metrics),
              continueOnError: true,
              destructive: false,
              metrics: verification.metrics,
            },
          ]
        : []),
    ],
    check: undefined,
    timeoutSeconds: verification.timeout,
    destructive: false,
    diagnostic: false,
  };
}

/** What the verification's result says: each check, then each threshold. */
function judge(runbook: Runbook, result: HostResult): Verification {
  if (result.kind === 'refused')
    return {
      healthy: false,
      lines: [`❌ Verification not run: ${result.message}`],
      problems: ['verification not allowed'],
      checks: [],
    };
  if (result.kind === 'dry-run')
    return {
      healthy: false,
      lines: ['⏭️ Verification not run (`dry-run: true`): its plan is posted above.'],
      problems: ['not verified in a dry run'],
      checks: [],
    };
  const verification = runbook.verification;
  const lines: string[] = [];
  const problems: string[] = [];
  const checks: Verification['checks'] = [];
  let metricsVerdict: Verification['metrics'];
  if (!verification) return { healthy: true, lines, problems, checks, result: result.commentUrl };
  verification.steps.forEach((step, index) => {
    const ran = result.steps[index];
    const ok = ran?.outcome === 'ok';
    checks.push({ name: step.name.slice(0, 300), ok });
    lines.push(`${ok ? '✅' : '❌'} ${step.name}${ran ? ` (exit ${ran.exitCode ?? '—'})` : ' (not run)'}`);
    if (!ok) problems.push(`${step.name} failed`);
  });
  if (verification.metrics) {
    const metrics = verification.metrics;
    const scraped = result.steps[verification.steps.length];
    if (!scraped || scraped.outcome !== 'ok') {
      lines.push(
        metrics.prometheus
          ? `❌ ${metrics.name}: Prometheus (${metrics.prometheus}) could not be queried from the host`
          : `❌ ${metrics.name}: the metrics could not be read`,
      );
      problems.push(metrics.prometheus ? 'Prometheus unreachable' : 'metrics unreadable');
      metricsVerdict = 'unread';
    } else {
      lines.push(`**${metrics.name}** (${metricsSource(metrics)}):`);
      const evaluated = evaluateMetrics(scraped.output, metrics);
      // Within only when every threshold was measured and healthy: "no samples" proves nothing.
      metricsVerdict = evaluated.some((threshold) => !threshold.healthy)
        ? 'outside'
        : evaluated.every((threshold) => threshold.value !== undefined)
          ? 'within'
          : 'partial';
      for (const threshold of evaluated) {
        lines.push(formatThreshold(threshold));
        if (!threshold.healthy)
          problems.push(
            `${threshold.name} ${threshold.value === undefined ? (threshold.note ?? 'missing') : `at ${Number(threshold.value.toPrecision(3))}`}`,
          );
      }
    }
  }
  return {
    healthy: problems.length === 0,
    lines,
    problems,
    checks,
    ...(metricsVerdict ? { metrics: metricsVerdict } : {}),
    result: result.commentUrl,
  };
}
