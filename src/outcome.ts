/** The closed set of ways a run can end; every run reports exactly one as its outputs. */
export type OutcomeStatus = 'success' | 'failure' | 'refused' | 'ignored' | 'planned' | 'error';

export interface Outcome {
  status: OutcomeStatus;
  /** A stable code for scripts: `declared`, `not-incident`, `permission`, `ssh-failed` … */
  reason: string;
  /** Human explanation, as written to the log. */
  message: string;
  command?: string;
  exitCode?: number;
  details?: Record<string, unknown>;
}
