import type { SilenceRequest, SilenceResult } from '../alerts/silence.ts';
import type { Permission, StatusPageConfig } from '../config/runbook.schema.ts';
import type { StatusEntry } from '../report/status-page.ts';
import type { Outcome } from '../outcome.ts';
import type { RecordContent } from '../records/codec.ts';
import type { LineProblem } from '../report/replies.ts';
import type { Plan } from '../runbook/plan.ts';

/** What running a plan on the host came to, as the gate reports it. */
export type HostResult =
  | { kind: 'refused'; message: string; reason: 'permission' | 'not-allowlisted' | 'team-unknown' }
  | { kind: 'dry-run' }
  | {
      kind: 'executed';
      status: 'success' | 'findings' | 'failure' | 'timeout' | 'ssh-error' | 'running';
      /** What a diagnostic command found, each as "step: finding". */
      findings?: string[];
      summary: string;
      exitCode: number | undefined;
      commentUrl: string;
      durationMs: number;
      steps: {
        name: string;
        outcome: string;
        exitCode: number | undefined;
        output: string;
        durationMs: number;
      }[];
    };

/**
 * What a handler wants done, as plain values. Only the composition root's interpreter carries
 * them out (flows/effects.ts), through the ports; tests compare them as they are.
 */
export type Effect =
  /** A comment on the issue, ending with its record. */
  | { kind: 'reply'; text: string; record: RecordContent }
  /**
   * A fact recorded quietly, on the status board's record: the closing reaction and the board say
   * it was done. Posted as a reply (`text`, ending with the record) when the board cannot hold it.
   */
  | { kind: 'record'; record: RecordContent; text: string }
  /** Rewrites one of the action's own comments (a plan that ends showing its outcome). */
  | { kind: 'edit'; commentId: number; text: string; record: RecordContent }
  | { kind: 'labels'; remove: string[]; add: string[] }
  | { kind: 'assign'; logins: string[] }
  /** Runs a plan through the one gate to the host; what happens next depends on the result. */
  | {
      kind: 'host';
      plan: Plan;
      required: Permission;
      purpose: 'command' | 'confirmed' | 'verification';
      execution: { user: string; confirmedBy?: string; code?: string };
      then: (result: HostResult) => Decision;
    }
  /**
   * The closing reaction of the comment that asked for a held command, once its plan ended: the
   * 👍 it got when the plan was posted is replaced when the plan failed or expired. The new one is
   * added before the old one goes, so the comment is never without a closing reaction.
   */
  | { kind: 'react'; commentId: number; content: '+1' | '-1' | 'confused' }
  /** Spends a confirmation code: the action's 🚀 on its plan; `won` when this run spent it. */
  | { kind: 'spend'; planCommentId: number; then: (won: boolean) => Decision }
  /** An Alertmanager silence, created from the runbook's target host; what to do next depends on it. */
  | { kind: 'silence'; target: string; request: SilenceRequest; then: (result: SilenceResult) => Decision }
  /** Writes this incident's public entry to the status page; what to say depends on whether it took. */
  | {
      kind: 'publish-status';
      config: StatusPageConfig;
      entry: StatusEntry;
      then: (result: { ok: true; url: string } | { ok: false; error: string }) => Decision;
    }
  /** The resolution's end: postmortem, review issue, closed issue, final board. */
  | { kind: 'finalize'; verification: string[] };

/**
 * A handler's decision: what to do, and the outcome to report (a continuation of a `host` or
 * `spend` effect may decide again). `problem` is what to tell the commenter when the line did not
 * run; the lines of one comment are answered together.
 */
export interface Decision {
  outcome: Outcome;
  effects: Effect[];
  problem?: LineProblem;
}

export const decided = (outcome: Outcome, effects: Effect[] = [], problem?: LineProblem): Decision =>
  problem ? { outcome, effects, problem } : { outcome, effects };
