import type { Settings } from '../config/inputs.ts';
import type { RemoteExecutor } from '../executor/port.ts';
import type { GitHubPort } from '../github/port.ts';
import type { Target } from '../runbook/plan.ts';

/** Every adapter a run needs, built by main.ts and passed in. */
export interface Dependencies {
  settings: Settings;
  github: GitHubPort;
  now: () => Date;
  log: (message: string) => void;
  warn: (message: string) => void;
  /** Login of the identity the action posts as; only its comments carry trusted markers. */
  selfLogin: string;
  runUrl: string;
  createExecutor: (target: Target) => RemoteExecutor;
  /** Values that must never appear in a comment (token, key, masked inputs). */
  secrets: string[];
}
