/** The closed set of ways a run can end; every run reports exactly one as its outputs. */
export type OutcomeStatus = 'success' | 'failure' | 'refused' | 'ignored' | 'planned' | 'error';

/**
 * The `reason` outputs of the action's flows, with what each means. Each command that records
 * something adds its own (its name; see `reason` in its definition): `allReasonCodes()` in
 * commands/definitions.ts has them all, and the README's table and action.yml are checked
 * against that.
 */
export const REASON_CODES = {
  declared: 'an incident label declared the incident',
  'severity-changed': 'a later incident label changed the severity',
  unlabeled: 'the incident label was removed',
  reopened: 'the issue was reopened; the incident resumes',
  closed: 'the issue was closed by hand',
  executed: 'a runbook command ran and succeeded',
  findings:
    'a diagnostic command ran every step and found something unhealthy (its findings head the result)',
  'step-failed': 'a runbook step exited non-zero',
  timeout: 'a runbook step ran out of time and was stopped on the host',
  'ssh-error': 'ssh could not connect or authenticate (host key, refused, unreachable)',
  'awaiting-confirmation': 'a destructive command posted its plan and waits for /confirm',
  'dry-run': 'dry-run: true; the plan was posted and nothing ran',
  assessment: 'the initial assessment ran on declaration',
  resolved: '/resolve verified (or was forced) and closed the incident',
  'verification-failed':
    '/resolve found the service unhealthy (or could not verify it) and kept the incident open',
  swept: 'the scheduled sweep checked the open incidents',
  permission: 'the person lacks the repository role the command needs (or any access)',
  'not-allowlisted': 'the person is not on allowed-users or in allowed-teams',
  'team-unknown': 'team membership could not be read, so the command was refused',
  'rate-limited': 'too many read-only commands from one person without write access',
  'too-many-commands': 'a comment held more commands than max-commands; none ran',
  'invalid-command': 'a command line was malformed or named no command',
  confirmation: '/confirm named no pending plan, a spent or expired one, or one that changed',
  lifecycle: 'a lifecycle command could not be done as asked (already acknowledged, …)',
  edited: 'the comment was edited before its turn; edited text never runs',
  'not-incident': 'the issue stopped being an open incident before the command’s turn',
  stale: 'the command’s turn came more than claim-timeout after it was posted; it was not run',
  'unknown-severity': 'the label names a severity the runbook does not have',
  'invalid-target': 'the runbook target has no host or user',
  'invalid-runbook': 'the runbook file does not load',
  'invalid-input': 'an action input is invalid',
  'invalid-payload': 'the event payload is not what GitHub sends',
  'not-applicable': 'the event needs nothing from the action',
  'no-command': 'the comment holds no command',
  'handled-elsewhere': "the run's command was handled by another run",
  running: 'a command was still running when the run ended',
  unexpected: 'an unexpected error; the log has it',
  'alert-opened': 'an Alertmanager notification opened an incident for its alert group',
  'alert-updated': "a later notification of an open incident's alert group updated its board",
  'alert-resolved': 'Alertmanager said the group resolved: recorded on the timeline, /mitigated proposed',
  'alert-reopened': 'the group fired again within the flap window after its incident closed: reopened',
  'alert-ungrouped': 'the notification was grouped by no label (groupKey {}:{}): no incident opened',
  'alert-unmapped': "no route of the runbook's alerts: section (and no default-severity) maps the alert",
  'alert-no-routes': 'the runbook has no alerts: section, so no alert opens an incident',
  'alert-unknown-group': 'a resolved notification for a group with no open incident: nothing to do',
} as const;

declare const commandReason: unique symbol;
/**
 * A command's own reason code: its name, given by `done` (commands/lifecycle/common.ts) to commands that
 * define a `reason` (see commands/define.ts).
 */
export type CommandReason = string & { readonly [commandReason]: true };

export type ReasonCode = keyof typeof REASON_CODES | CommandReason;

export interface Outcome {
  status: OutcomeStatus;
  /** A stable code for scripts (see REASON_CODES). */
  reason: ReasonCode;
  /** Human explanation, as written to the log. */
  message: string;
  command?: string;
  exitCode?: number;
  details?: Record<string, unknown>;
}
