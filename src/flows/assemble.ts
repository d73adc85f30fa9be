import { createHostSilencer, type SilencePort } from '../alerts/silence.ts';
import type { Settings } from '../config/inputs.ts';
import type { RemoteExecutor } from '../executor/port.ts';
import { cacheIssueReads } from '../github/issue-cache.ts';
import type { GitHubPort } from '../github/port.ts';
import type { NotifierPort } from '../notify/port.ts';
import { createSealer } from '../records/seal.ts';
import type { Target } from '../runbook/plan.ts';
import { createAuthorizer } from './authorize.ts';
import type { Dependencies, RunSignals } from './dependencies.ts';
import { createIssueWriter } from './writer.ts';

/** The adapters a run is made of: the composition root builds real ones, tests pass their own. */
export interface Adapters {
  settings: Settings;
  /** The repository, `owner/name`: what the records' seal is scoped to. */
  repository: string;
  github: GitHubPort;
  createExecutor: (target: Target) => RemoteExecutor;
  /** Alertmanager's silences; by default through the deployment host (`createExecutor`). */
  silencer?: SilencePort;
  notifier: NotifierPort;
  now: () => Date;
  elapsedMs: () => number;
  sleep: (ms: number) => Promise<void>;
  signals: RunSignals;
  log: (message: string) => void;
  warn: (message: string) => void;
  runUrl: string;
  /** GitHub's web address (GITHUB_SERVER_URL), for links to issues. */
  serverUrl?: string;
  runAttempt: number;
  secrets: string[];
  onOverflow: (text: string) => void;
}

/** Wires the adapters into what the flows use: one read per issue, the sealing writer, the authorizer. */
export function assembleDependencies(adapters: Adapters): Dependencies {
  const { settings } = adapters;
  const github = cacheIssueReads(adapters.github, { selfLogin: settings.botLogin, now: adapters.now });
  const sealer = createSealer(settings.recordSecret, adapters.repository);
  return {
    settings,
    github,
    sealer,
    writer: createIssueWriter({
      github,
      sealer,
      knownSecrets: adapters.secrets,
      runUrl: adapters.runUrl,
      onOverflow: adapters.onOverflow,
    }),
    authorizer: createAuthorizer(github, settings),
    notifier: adapters.notifier,
    now: adapters.now,
    elapsedMs: adapters.elapsedMs,
    runAttempt: adapters.runAttempt,
    log: adapters.log,
    warn: adapters.warn,
    selfLogin: settings.botLogin,
    runUrl: adapters.runUrl,
    repoUrl: `${adapters.serverUrl ?? 'https://github.com'}/${adapters.repository}`,
    issueUrl: (issueNumber) =>
      `${adapters.serverUrl ?? 'https://github.com'}/${adapters.repository}/issues/${issueNumber}`,
    secrets: adapters.secrets,
    sleep: adapters.sleep,
    signals: adapters.signals,
    createExecutor: adapters.createExecutor,
    silencer:
      adapters.silencer ??
      createHostSilencer({ createExecutor: adapters.createExecutor, secrets: adapters.secrets }),
  };
}
