import type { Decision, Effect, HostResult } from '../commands/effects.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import { CommentGone } from '../github/port.ts';
import type { IssueRef } from './comment.ts';
import type { Dependencies } from './dependencies.ts';
import { finalize, incidentContext } from './finalize.ts';
import { runOnHost, type HostOutcome } from './gate.ts';
import { resolveTarget } from '../runbook/plan.ts';
import { publishStatus } from './status-page.ts';
import { recordOnBoard } from './board-facts.ts';

/** Where a decision is carried out: the issue, the runbook, and who asked in which comment. */
export interface EffectContext {
  issue: IssueRef;
  runbook: Runbook;
  actor: string;
  comment: { id: number; url: string } | undefined;
}

/**
 * Carries out a handler's decision through the ports, in order. A `host` or `spend` effect's
 * continuation decides again from what happened; the last decision's outcome and problem are the
 * ones that count. This is the only place where handlers' decisions touch GitHub or a host.
 */
export async function applyDecision(
  decision: Decision,
  deps: Dependencies,
  context: EffectContext,
): Promise<Pick<Decision, 'outcome' | 'problem'>> {
  let last: Pick<Decision, 'outcome' | 'problem'> = { outcome: decision.outcome, problem: decision.problem };
  for (const effect of decision.effects) {
    const next = await apply(effect, deps, context);
    if (next) last = await applyDecision(next, deps, context);
  }
  return last;
}

async function apply(
  effect: Effect,
  deps: Dependencies,
  context: EffectContext,
): Promise<Decision | undefined> {
  const issueNumber = context.issue.number;
  switch (effect.kind) {
    case 'reply':
      await deps.writer.post(issueNumber, effect.text, effect.record);
      return undefined;
    case 'record':
      await recordOnBoard(context.issue, effect.record, effect.text, incidentContext(deps, context.runbook));
      return undefined;
    case 'edit':
      // Rewriting one of the action's comments is a courtesy: it never stops what is under way.
      await deps.writer
        .edit(effect.commentId, issueNumber, effect.text, effect.record)
        .catch((error: unknown) =>
          deps.warn(`Could not update comment ${effect.commentId}: ${String(error)}`),
        );
      return undefined;
    case 'labels':
      for (const label of effect.remove) await deps.github.removeLabel(issueNumber, label);
      if (effect.add.length > 0) await deps.github.addLabels(issueNumber, effect.add);
      return undefined;
    case 'assign':
      await deps.github.addAssignees(issueNumber, effect.logins);
      return undefined;
    case 'host': {
      const outcome = await runOnHost(
        {
          plan: effect.plan,
          issueNumber,
          actor: context.actor,
          required: effect.required,
          purpose: effect.purpose,
          execution: { ...effect.execution, source: context.comment },
        },
        deps,
      );
      return effect.then(hostResult(outcome));
    }
    case 'react':
      try {
        if (effect.content === '+1') return undefined;
        // addReaction drops this run's copy of the comment's reactions: the list below is fresh.
        await deps.github.addReaction(effect.commentId, effect.content);
        const stale = (await deps.github.listCommentReactions(effect.commentId)).filter(
          (reaction) => reaction.user === deps.selfLogin && reaction.content === '+1',
        );
        for (const reaction of stale) await deps.github.deleteReaction(effect.commentId, reaction.id);
      } catch (error) {
        if (!(error instanceof CommentGone)) throw error;
      }
      return undefined;
    case 'spend': {
      let won: boolean;
      try {
        won = await deps.github.reactToComment(effect.planCommentId, 'rocket');
      } catch (error) {
        if (!(error instanceof CommentGone)) throw error;
        won = false;
      }
      return effect.then(won);
    }
    case 'silence':
      return effect.then(
        await deps.silencer.create(
          resolveTarget(context.runbook, effect.target, deps.settings.ssh),
          effect.request,
        ),
      );
    case 'publish-status':
      return effect.then(await publishStatus(effect.config, effect.entry, deps));
    case 'finalize':
      await finalize(context.issue, deps, incidentContext(deps, context.runbook), effect.verification);
      return undefined;
  }
}

function hostResult(outcome: HostOutcome): HostResult {
  switch (outcome.kind) {
    case 'refused':
      return { kind: 'refused', message: outcome.decision.message, reason: outcome.decision.reason };
    case 'dry-run':
      return { kind: 'dry-run' };
    case 'executed':
      return {
        kind: 'executed',
        status: outcome.record.status,
        summary: outcome.record.summary,
        findings: outcome.record.findings.map((finding) => `${finding.step}: ${finding.text}`),
        exitCode: outcome.record.exitCode,
        commentUrl: outcome.record.commentUrl,
        steps: outcome.record.steps,
        durationMs: outcome.record.durationMs,
      };
  }
}
