import type { SilencePort } from '../alerts/silence.ts';
import type { Settings } from '../config/inputs.ts';
import type { RemoteExecutor } from '../executor/port.ts';
import type { CachedGitHub } from '../github/issue-cache.ts';
import type { NotifierPort } from '../notify/port.ts';
import type { RecordSealer } from '../records/seal.ts';
import type { Target } from '../runbook/plan.ts';
import type { Authorizer } from './authorize.ts';
import type { IssueWriter } from './writer.ts';

/** Every adapter a run needs, built by main.ts and passed in. */
export interface Dependencies {
  settings: Settings;
  /** GitHub, read once per run per issue (see github/issue-cache.ts). */
  github: CachedGitHub;
  /** The only way comments are written: bounded, cleared of secrets, sealed. */
  writer: IssueWriter;
  /** Checks the seals of what earlier runs recorded. */
  sealer: RecordSealer;
  /** Who may do what, looked up once per person per run. */
  authorizer: Authorizer;
  /** The channels people hear on besides the issue (none by default). */
  notifier: NotifierPort;
  now: () => Date;
  /** A monotonic clock in milliseconds, for how long ago the run read something. */
  elapsedMs: () => number;
  /** GITHUB_RUN_ATTEMPT: above 1, the job was re-run on an old event. */
  runAttempt: number;
  log: (message: string) => void;
  warn: (message: string) => void;
  /** Login of the identity the action posts as; only its comments carry trusted records. */
  selfLogin: string;
  runUrl: string;
  /** The issue's page on GitHub (for messages that leave GitHub). */
  issueUrl: (issueNumber: number) => string;
  /** The repository's page on GitHub. */
  repoUrl: string;
  createExecutor: (target: Target) => RemoteExecutor;
  /** Alertmanager's silences, through the deployment host. */
  silencer: SilencePort;
  /** Values that must never appear in a comment (token, key, masked inputs). */
  secrets: string[];
  /** Waits; ends early once the run is asked to stop. */
  sleep: (ms: number) => Promise<void>;
  signals: RunSignals;
}

/**
 * How the runner stops a cancelled job: SIGINT, then SIGTERM 7.5 s later, then a kill 2.5 s after
 * that. A run takes no new command after the first and records what it was doing on the second.
 */
export interface RunSignals {
  /** true once the run was asked to stop. */
  stopRequested(): boolean;
  /** `handler` runs when the run is about to be killed; returns a function that unregisters it. */
  onTerminate(handler: () => Promise<void>): () => void;
}
