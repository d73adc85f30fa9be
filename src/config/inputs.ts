import { INPUT_NAMES, inputsSchema, type Inputs } from './inputs.schema.ts';
import type { Permission } from './runbook.schema.ts';

export interface SshSettings {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  knownHosts: string;
  jumpHost: string | undefined;
  insecureSkipHostKeyCheck: boolean;
}

export interface Settings {
  token: string;
  runbookPath: string;
  ssh: SshSettings;
  permission: Permission;
  allowedUsers: string[];
  allowedTeams: { org: string; team: string }[];
  commandTimeoutSeconds: number;
  maxCommandsPerComment: number;
  /** A claim on a command older than this belongs to a run that is gone: it is reported interrupted. */
  claimTimeoutSeconds: number;
  dryRun: boolean;
  labelPrefix: string;
  /** Mentioned when an incident is not acknowledged in time: users or org/team slugs. */
  escalation: string[];
  initialAssessment: boolean;
  /** The login the token posts as; only its comments carry trusted records. */
  botLogin: string;
  /**
   * The secret the action's records are sealed with: record-secret, else the SSH private key.
   * Empty when neither is set: records are then trusted by author alone, and the board says so.
   */
  recordSecret: string;
  /** Slack's incoming webhook for stakeholders; empty when none (a secret). */
  slackWebhookUrl: string;
}

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

/** Reads every input through `getInput` (core.getInput in the action) and validates them together. */
export function readSettings(getInput: (name: string) => string): SettingsResult {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, getInput(name)]));
  const parsed = inputsSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `input ${String(issue.path[0] ?? '')}: ${issue.message}`),
    };
  }
  return { ok: true, settings: toSettings(parsed.data) };
}

function toSettings(inputs: Inputs): Settings {
  return {
    token: inputs['github-token'],
    runbookPath: inputs.runbook,
    ssh: {
      host: inputs['ssh-host'],
      port: inputs['ssh-port'],
      user: inputs['ssh-user'],
      privateKey: inputs['ssh-private-key'],
      knownHosts: inputs['ssh-known-hosts'],
      jumpHost: inputs['ssh-jump-host'] || undefined,
      insecureSkipHostKeyCheck: inputs['ssh-insecure-skip-host-key-check'],
    },
    permission: inputs.permission,
    allowedUsers: inputs['allowed-users'],
    allowedTeams: inputs['allowed-teams'].map((entry) => {
      const [org = '', team = ''] = entry.split('/');
      return { org, team };
    }),
    commandTimeoutSeconds: inputs['command-timeout'],
    maxCommandsPerComment: inputs['max-commands'],
    claimTimeoutSeconds: inputs['claim-timeout'],
    dryRun: inputs['dry-run'],
    labelPrefix: inputs['label-prefix'],
    escalation: inputs.escalation,
    initialAssessment: inputs['initial-assessment'],
    botLogin: inputs['bot-login'],
    recordSecret: inputs['record-secret'].trim() || inputs['ssh-private-key'],
    slackWebhookUrl: inputs['slack-webhook-url'],
  };
}
