import type { BoundCommand } from '../commands/bind.ts';
import { formatDuration } from '../config/duration.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import { severityFromLabel } from '../events/route.ts';
import { humanDuration } from '../incident/sla.ts';
import { parseImpactStart } from '../incident/time.ts';
import { evaluateThresholds, formatThreshold } from '../incident/verify.ts';
import type { Outcome, ReasonCode } from '../outcome.ts';
import type { RecordContent } from '../records/codec.ts';
import { echo, utc } from '../report/markdown.ts';
import { renderPostmortem } from '../report/postmortem.ts';
import { renderTimeline } from '../report/timeline.ts';
import type { Plan } from '../runbook/plan.ts';
import { commandRegistry } from '../commands/registry.ts';
import { requiredPermission } from './authorize.ts';
import type { Dependencies } from './dependencies.ts';
import { runOnHost } from './gate.ts';
import { loadIncident, publishBoard, type IncidentContext, type IncidentSnapshot } from './incident.ts';

/** The post-incident review is due this long after resolution (the runbook's 72 hours). */
const REVIEW_WITHIN_MS = 72 * 3_600_000;

export interface LifecycleRequest {
  command: BoundCommand;
  issue: { number: number; title: string; url: string; labels: string[] };
  user: string;
  commentId: number;
  commentUrl: string;
}

export function incidentContext(deps: Dependencies, runbook: Runbook): IncidentContext {
  return {
    github: deps.github,
    writer: deps.writer,
    sealer: deps.sealer,
    runbook,
    selfLogin: deps.selfLogin,
    labelPrefix: deps.settings.labelPrefix,
    now: deps.now,
  };
}

type LifecycleKind =
  | 'acknowledged'
  | 'commander'
  | 'severity'
  | 'update'
  | 'mitigated'
  | 'resolved'
  | 'verification-failed'
  | 'impact-start';
type FieldsOf<K extends LifecycleKind> = Omit<
  Extract<RecordContent, { kind: K }>,
  'kind' | 'by' | 'at' | 'source'
>;

/** Posts a reply carrying the lifecycle fact, so that later runs rebuild it from the issue. */
async function record<K extends LifecycleKind>(
  deps: Dependencies,
  request: LifecycleRequest,
  kind: K,
  text: string,
  fields: FieldsOf<K>,
): Promise<string> {
  const content = {
    kind,
    by: request.user,
    at: deps.now().toISOString(),
    source: request.commentId,
    ...fields,
  } as unknown as RecordContent;
  const comment = await deps.writer.post(request.issue.number, text, content);
  return comment.htmlUrl;
}

/** Carries out one lifecycle command, then refreshes the status board. */
export async function handleLifecycle(
  request: LifecycleRequest,
  deps: Dependencies,
  runbook: Runbook,
): Promise<Outcome> {
  const context = incidentContext(deps, runbook);
  const snapshot = await loadIncident(request.issue, context);
  const outcome = await carryOut(request, snapshot, deps, runbook, context);
  if (outcome.reason !== 'resolved') await publishBoard(await loadIncident(request.issue, context), context);
  return outcome;
}

async function carryOut(
  request: LifecycleRequest,
  snapshot: IncidentSnapshot,
  deps: Dependencies,
  runbook: Runbook,
  context: IncidentContext,
): Promise<Outcome> {
  const { incident } = snapshot;
  const name = request.command.spec.name;
  const args = request.command.args;
  const now = deps.now();
  const done = (message: string, reason: ReasonCode = name as ReasonCode): Outcome => ({
    status: 'success',
    reason,
    command: name,
    message,
  });
  const refuse = async (message: string): Promise<Outcome> => {
    await deps.writer.post(request.issue.number, `🚫 **Not done:** \`/${name}\`\n\n${message}`, {
      kind: 'refused',
      user: request.user,
      reason: 'lifecycle',
      by: request.user,
      at: now.toISOString(),
      source: request.commentId,
    });
    return { status: 'refused', reason: 'lifecycle', command: name, message };
  };
  const sinceDeclared = incident.declaredAt
    ? humanDuration(now.getTime() - incident.declaredAt.getTime())
    : '—';

  switch (name) {
    case 'ack': {
      if (incident.acknowledgedAt) {
        return refuse(
          `Already acknowledged by @${incident.acknowledgedBy} at ${utc(incident.acknowledgedAt)}.`,
        );
      }
      const due = snapshot.sla?.acknowledge.due;
      const verdict = due ? (now <= due ? '✅ within target' : `⚠️ target was ${utc(due)}`) : '';
      await record(
        deps,
        request,
        'acknowledged',
        `✅ **Acknowledged** by @${request.user}, ${sinceDeclared} after declaration ${verdict}.`,
        {},
      );
      return done(`acknowledged by @${request.user} after ${sinceDeclared}`);
    }
    case 'commander': {
      const commander = String(args.user).replace(/^@/, '');
      await deps.github.addAssignees(request.issue.number, [commander]);
      await record(
        deps,
        request,
        'commander',
        `🧭 **@${commander} is the incident commander** (set by @${request.user}; the issue is assigned to them).`,
        { commander },
      );
      return done(`@${commander} is the incident commander`);
    }
    case 'severity': {
      const level = String(args.level).toLowerCase();
      const severity = runbook.severities[level];
      if (!severity)
        return refuse(
          `\`${level.toUpperCase()}\` is not a severity in this runbook (${Object.keys(runbook.severities).join(', ')}).`,
        );
      if (level === incident.severity) return refuse(`The incident is already ${level.toUpperCase()}.`);
      for (const label of request.issue.labels) {
        if (severityFromLabel(label, deps.settings.labelPrefix))
          await deps.github.removeLabel(request.issue.number, label);
      }
      await deps.github.addLabels(request.issue.number, [`${deps.settings.labelPrefix}${level}`]);
      await record(
        deps,
        request,
        'severity',
        `🔁 **Severity ${incident.severity?.toUpperCase()} → ${level.toUpperCase()} (${severity.name})** by @${request.user}. Targets now: respond within ${formatDuration(severity['respond-within'])}${severity['update-every'] ? `, status update every ${formatDuration(severity['update-every'])}` : ''}.`,
        { severity: level },
      );
      return done(`severity is now ${level.toUpperCase()}`);
    }
    case 'update': {
      const text = String(args.text);
      const cadence = snapshot.severity?.['update-every'];
      const next = cadence ? ` Next update due ${utc(new Date(now.getTime() + cadence * 1000))}.` : '';
      await record(
        deps,
        request,
        'update',
        `📣 **Status update** from @${request.user}: ${echo(text, 2000)}\n\n${next.trim()}`,
        { text },
      );
      return done('status update posted');
    }
    case 'mitigated': {
      if (incident.phase !== 'investigating') return refuse(`The incident is already ${incident.phase}.`);
      const note = args.note === undefined ? undefined : String(args.note);
      const due = snapshot.sla?.respond.due;
      await record(
        deps,
        request,
        'mitigated',
        `🩹 **Mitigated** (@${request.user}), ${sinceDeclared} after declaration${due ? (now <= due ? ', within the response target ✅' : `; the response target was ${utc(due)} ⚠️`) : ''}.${note ? `\n\nNote: ${echo(note, 2000)}` : ''}\n\nWhen the service is healthy, \`/resolve\` verifies it and closes the incident.`,
        note ? { note } : {},
      );
      return done('mitigated');
    }
    case 'impact-start': {
      const at = parseImpactStart(String(args.time), now);
      if (!at)
        return refuse(
          `${echo(String(args.time))} is in the future or not a time. Write 2026-11-26T02:50Z, 02:50 (UTC) or -25m.`,
        );
      await record(
        deps,
        request,
        'impact-start',
        `⏪ **Impact started at ${utc(at)}** (set by @${request.user}).`,
        { impactStart: at.toISOString() },
      );
      return done(`impact start set to ${utc(at)}`);
    }
    case 'timeline': {
      await deps.writer.post(
        request.issue.number,
        `### Timeline so far\n\n${renderTimeline(incident.timeline, { maxChars: 50_000, fullAt: deps.runUrl })}`,
        {
          kind: 'answered',
          command: 'timeline',
          by: request.user,
          at: now.toISOString(),
          source: request.commentId,
        },
      );
      deps.log(`Timeline of issue #${request.issue.number}:\n${renderTimeline(incident.timeline)}`);
      return done(`timeline of ${incident.timeline.length} entries posted`);
    }
    case 'postmortem': {
      if (!snapshot.severity || !snapshot.severityKey || !snapshot.sla)
        return refuse('This issue has no declared incident.');
      const body = renderPostmortem({
        incident,
        severityKey: snapshot.severityKey,
        severity: snapshot.severity,
        sla: snapshot.sla,
        issue: request.issue,
        reviewDue: new Date((incident.resolvedAt ?? now).getTime() + REVIEW_WITHIN_MS),
        followUp: undefined,
        verification: [],
      });
      await deps.writer.post(
        request.issue.number,
        `> Draft: the postmortem so far. \`/resolve\` posts the final one.\n\n${body}`,
        {
          kind: 'answered',
          command: 'postmortem',
          by: request.user,
          at: now.toISOString(),
          source: request.commentId,
        },
      );
      return done('draft postmortem posted');
    }
    case 'resolve':
      return resolve(request, snapshot, deps, runbook, context);
    default:
      return refuse(`\`/${name}\` is not a lifecycle command.`);
  }
}

async function resolve(
  request: LifecycleRequest,
  snapshot: IncidentSnapshot,
  deps: Dependencies,
  runbook: Runbook,
  context: IncidentContext,
): Promise<Outcome> {
  if (snapshot.incident.phase === 'resolved') {
    await deps.writer.post(
      request.issue.number,
      `The incident is already resolved (${utc(snapshot.incident.resolvedAt ?? deps.now())}).`,
      {
        kind: 'refused',
        user: request.user,
        reason: 'already-resolved',
        by: request.user,
        at: deps.now().toISOString(),
        source: request.commentId,
      },
    );
    return { status: 'refused', reason: 'lifecycle', command: 'resolve', message: 'already resolved' };
  }
  const force = request.command.args.force === true;
  const summary =
    request.command.args.summary === undefined ? undefined : String(request.command.args.summary);
  const verification = await verify(request, deps, runbook);
  if (!verification.healthy && !force) {
    const text = verification.problems.join('; ');
    await record(
      deps,
      request,
      'verification-failed',
      [
        `❌ **Not resolved: the service is not healthy yet.**`,
        '',
        ...verification.lines.map((line) => `- ${line}`),
        '',
        'The incident stays open. Fix what is listed, then `/resolve` again; `/resolve --force` resolves anyway and records the override.',
      ].join('\n'),
      { problems: verification.problems.slice(0, 50) },
    );
    return { status: 'failure', reason: 'verification-failed', command: 'resolve', message: text };
  }
  await record(
    deps,
    request,
    'resolved',
    [
      force && !verification.healthy
        ? `⚠️ **Resolved with \`--force\`** by @${request.user}: verification did not pass, and this is recorded.`
        : `✅ **Resolved** by @${request.user}: verification passed.`,
      '',
      ...verification.lines.map((line) => `- ${line}`),
      ...(summary ? ['', `Summary: ${echo(summary, 2000)}`] : []),
    ].join('\n'),
    { forced: force && !verification.healthy, ...(summary ? { summary } : {}) },
  );
  await finalize(request.issue, deps, context, verification.lines);
  return {
    status: 'success',
    reason: 'resolved',
    command: 'resolve',
    message: `resolved by @${request.user}${force && !verification.healthy ? ' with --force' : ''}`,
  };
}

interface VerificationResult {
  healthy: boolean;
  lines: string[];
  problems: string[];
}

/** Runs the runbook's resolution verification over SSH: the checks, then the metric thresholds. */
async function verify(
  request: LifecycleRequest,
  deps: Dependencies,
  runbook: Runbook,
): Promise<VerificationResult> {
  const verification = runbook.verification;
  if (!verification)
    return { healthy: true, lines: ['No verification is defined in the runbook.'], problems: [] };
  const target = runbook.targets[verification.target] ?? {};
  const ssh = deps.settings.ssh;
  const metricsStep = verification.metrics
    ? [
        {
          name: verification.metrics.name,
          script: verification.metrics.run,
          continueOnError: true,
          destructive: false,
        },
      ]
    : [];
  const plan: Plan = {
    command: 'resolve',
    args: {},
    target: {
      name: verification.target,
      host: target.host ?? ssh.host,
      port: target.port ?? ssh.port,
      user: target.user ?? ssh.user,
    },
    steps: [
      ...verification.steps.map((step) => ({
        name: step.name,
        script: step.run,
        continueOnError: true,
        destructive: false,
      })),
      ...metricsStep,
    ],
    check: undefined,
    timeoutSeconds: verification.timeout,
    destructive: false,
  };
  const spec = commandRegistry(runbook).get('resolve');
  const outcome = await runOnHost(
    {
      plan,
      issueNumber: request.issue.number,
      actor: request.user,
      required: spec ? requiredPermission(spec, deps.settings) : 'admin',
      purpose: 'verification',
      execution: { user: request.user, source: { id: request.commentId, url: request.commentUrl } },
    },
    deps,
  );
  if (outcome.kind === 'refused') {
    return {
      healthy: false,
      lines: [`❌ Verification not run: ${outcome.decision.message}`],
      problems: ['verification not allowed'],
    };
  }
  if (outcome.kind === 'dry-run') {
    return {
      healthy: false,
      lines: ['⏭️ Verification not run (`dry-run: true`): its plan is posted above.'],
      problems: ['not verified in a dry run'],
    };
  }
  const { record } = outcome;
  const lines: string[] = [];
  const problems: string[] = [];
  verification.steps.forEach((step, index) => {
    const ran = record.steps[index];
    const ok = ran?.outcome === 'ok';
    lines.push(`${ok ? '✅' : '❌'} ${step.name}${ran ? ` (exit ${ran.exitCode ?? '—'})` : ' (not run)'}`);
    if (!ok) problems.push(`${step.name} failed`);
  });
  if (verification.metrics) {
    const scraped = record.steps[verification.steps.length];
    if (!scraped || scraped.outcome !== 'ok') {
      lines.push(`❌ ${verification.metrics.name}: the metrics could not be read`);
      problems.push('metrics unreadable');
    } else {
      for (const result of evaluateThresholds(scraped.output, verification.metrics.thresholds)) {
        lines.push(formatThreshold(result));
        if (!result.healthy)
          problems.push(
            `${result.name} ${result.value === undefined ? 'missing' : `at ${Number(result.value.toPrecision(3))}`}`,
          );
      }
    }
  }
  return { healthy: problems.length === 0, lines, problems };
}

/**
 * After resolution: the postmortem comment, the follow-up review issue (labelled `postmortem`,
 * due 72 hours after resolution, linked both ways), the closed issue and the final board.
 * Does nothing twice: a posted postmortem is found again on the issue.
 */
export async function finalize(
  issue: { number: number; title: string; url: string },
  deps: Dependencies,
  context: IncidentContext,
  verification: string[],
): Promise<{ followUp: number | undefined }> {
  const snapshot = await loadIncident(issue, context);
  const { incident } = snapshot;
  if (incident.postmortem || !snapshot.severity || !snapshot.severityKey || !snapshot.sla) {
    await publishBoard(snapshot, context);
    return { followUp: incident.postmortem?.followUp };
  }
  const resolvedAt = incident.resolvedAt ?? deps.now();
  const reviewDue = new Date(resolvedAt.getTime() + REVIEW_WITHIN_MS);
  const followUp =
    incident.followUp !== undefined
      ? { number: incident.followUp, url: '' }
      : await deps.github
          .createIssue({
            title: `Post-incident review: ${issue.title} (#${issue.number})`,
            labels: ['postmortem'],
            body: [
              `Post-incident review of #${issue.number} (${snapshot.severityKey.toUpperCase()} — ${snapshot.severity.name}).`,
              '',
              `**Due: ${utc(reviewDue)}** (72 hours after resolution at ${utc(resolvedAt)}).`,
              '',
              `The postmortem draft, with the timeline and figures, is on #${issue.number}: ${issue.url}`,
              '',
              '- [ ] Timeline review: document the incident timeline',
              '- [ ] Root cause analysis: identify underlying causes',
              '- [ ] Action items: create follow-up tasks',
              '- [ ] Process improvements: update runbooks and monitoring',
            ].join('\n'),
          })
          .then((created) => ({ number: created.number, url: created.htmlUrl }));
  const body = renderPostmortem({
    incident,
    severityKey: snapshot.severityKey,
    severity: snapshot.severity,
    sla: snapshot.sla,
    issue,
    reviewDue,
    followUp,
    verification,
  });
  await deps.writer.post(
    issue.number,
    `${body}\n\n---\n📋 Post-incident review: #${followUp.number}, due ${utc(reviewDue)}.`,
    { kind: 'postmortem', by: deps.selfLogin, at: deps.now().toISOString(), followUp: followUp.number },
  );
  const current = await deps.github.getIssue(issue.number);
  if (current.state === 'open') await deps.github.closeIssue(issue.number);
  await publishBoard(await loadIncident(issue, context), context);
  return { followUp: followUp.number };
}
