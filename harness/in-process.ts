// The action in this process: the same routing, flows and adapters as the bundle, with the GitHub
// emulator (in-process, over HTTP, every request checked against GitHub's description) and plain
// objects for the host, the clock, sleeping and the runner's signals. Unit tests drive whole
// incidents through it in milliseconds, and coverage counts the code that decides.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { allReasonCodes } from '../src/commands/definitions.ts';
import { readSettings } from '../src/config/inputs.ts';
import { routeEvent } from '../src/events/route.ts';
import type { RemoteExecutor, StepResult } from '../src/executor/port.ts';
import { assembleDependencies } from '../src/flows/assemble.ts';
import type { RunSignals } from '../src/flows/dependencies.ts';
import { createGitHubAdapter } from '../src/github/octokit-adapter.ts';
import { handle } from '../src/handle.ts';
import { notifierFor } from '../src/notify/choose.ts';
import type { NotifierPort } from '../src/notify/port.ts';
import type { Outcome } from '../src/outcome.ts';
import type { Target } from '../src/runbook/plan.ts';
import { startEmulator, type GitHubEmulator, type Role } from './github/emulator.ts';
import type { ActionRun } from './run-action.ts';
import { IncidentScenario } from './scenario.ts';

const ACTION = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};
const TOKEN = 'ghs_emulatorInstallationToken000000000000';
const REASON_CODES = allReasonCodes();

/** One script the fake host ran, and where. */
export interface HostRun {
  target: Target;
  script: string;
  timeoutSeconds: number;
}

/**
 * A host that answers each script with what `respond` says (by default: success, no output), and
 * remembers every script, so tests prove what would have run.
 */
export class FakeHost {
  readonly runs: HostRun[] = [];
  closed = 0;
  respond: (script: string) => Partial<StepResult> = () => ({});

  createExecutor = (target: Target): RemoteExecutor => ({
    run: async (script, timeoutSeconds) => {
      this.runs.push({ target, script, timeoutSeconds });
      const answer = this.respond(script);
      const output = answer.output ?? '';
      return {
        outcome: 'ok',
        exitCode: 0,
        output,
        totalBytes: output.length,
        omittedBytes: 0,
        durationMs: 5,
        ...answer,
      };
    },
    close: async () => {
      this.closed += 1;
    },
  });

  /** Scripts that ran and contain `text`. */
  ran(text: string): HostRun[] {
    return this.runs.filter((run) => run.script.includes(text));
  }
}

/** The runner's signals as a test controls them. */
export class FakeSignals implements RunSignals {
  stop = false;
  readonly handlers = new Set<() => Promise<void>>();
  stopRequested = () => this.stop;
  onTerminate(handler: () => Promise<void>) {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  /** The runner's SIGTERM: what the run does before it is killed. */
  async terminate(): Promise<void> {
    this.stop = true;
    for (const handler of this.handlers) await handler();
  }
}

export interface InProcessOptions {
  emulator: GitHubEmulator;
  host: FakeHost;
  /** Inputs by their action.yml names; the rest get action.yml's defaults. */
  inputs?: Record<string, string>;
  now?: () => Date;
  runAttempt?: number;
  notifier?: NotifierPort;
  signals?: FakeSignals;
  /** Called for each sleep (the run never really waits). */
  onSleep?: (ms: number) => void;
  /** Sleeps really wait too: for runs racing one another on real time. */
  realSleep?: boolean;
  runId?: number;
  /** GitHub's spacing of writes and waiting out rate limits (`github`), or none (the default). */
  pacing?: 'none' | 'github';
}

/** Runs the action on one event, in this process; answers like the bundle run (outputs, log). */
export async function runInProcess(
  eventName: string,
  payload: unknown,
  options: InProcessOptions,
): Promise<ActionRun> {
  const log: string[] = [];
  const started = performance.now();
  const values = Object.fromEntries(
    Object.entries(ACTION.inputs).map(([name, spec]) => [
      name,
      options.inputs?.[name] ?? (spec.default ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/, TOKEN),
    ]),
  );
  const settingsResult = readSettings((name) => values[name] ?? '');
  let outcome: Outcome;
  if (!settingsResult.ok) {
    outcome = { status: 'error', reason: 'invalid-input', message: settingsResult.errors.join('\n') };
  } else {
    const { settings } = settingsResult;
    const route = routeEvent(eventName, payload, {
      labelPrefix: settings.labelPrefix,
      selfLogin: settings.botLogin,
    });
    if (route.kind === 'ignore')
      outcome = { status: 'ignored', reason: 'not-applicable', message: route.reason };
    else if (route.kind === 'invalid')
      outcome = { status: 'error', reason: 'invalid-payload', message: route.reason };
    else {
      const repository = options.emulator.repo().fullName;
      const [owner = '', repo = ''] = repository.split('/');
      let elapsed = 0;
      const sleep = async (ms: number) => {
        elapsed += ms;
        options.onSleep?.(ms);
        if (options.realSleep) await new Promise((resolve) => setTimeout(resolve, ms));
      };
      const deps = assembleDependencies({
        settings,
        repository,
        github: createGitHubAdapter({
          token: settings.token,
          owner,
          repo,
          baseUrl: options.emulator.url,
          log: () => {},
          pacing: options.pacing ?? 'none',
        }),
        createExecutor: options.host.createExecutor,
        notifier: options.notifier ?? notifierFor(settings, { sleep, log: (message) => log.push(message) }),
        now: options.now ?? (() => new Date()),
        // Time moves only when the run sleeps: nothing here depends on how fast the machine is.
        elapsedMs: () => elapsed,
        sleep,
        signals: options.signals ?? new FakeSignals(),
        log: (message) => log.push(message),
        warn: (message) => log.push(`warning: ${message}`),
        runUrl: `https://github.com/${repository}/actions/runs/${options.runId ?? 1}`,
        runAttempt: options.runAttempt ?? 1,
        secrets: [
          settings.token,
          settings.ssh.privateKey,
          settings.recordSecret,
          settings.slackWebhookUrl,
        ].filter(Boolean),
        onOverflow: () => {},
      });
      try {
        outcome = await handle(route, deps);
      } catch (error) {
        outcome = {
          status: 'error',
          reason: 'unexpected',
          message: error instanceof Error ? error.message : String(error),
        };
      }
    }
  }
  // Every run ends with a documented reason code (README's table is held to the same list).
  if (!(outcome.reason in REASON_CODES)) {
    throw new Error(`the run ended with reason "${outcome.reason}", which no definition documents`);
  }
  return {
    exitCode: outcome.status === 'error' ? 1 : 0,
    outputs: {
      status: outcome.status,
      reason: outcome.reason,
      command: outcome.command ?? '',
      'exit-code': outcome.exitCode === undefined ? '' : String(outcome.exitCode),
      result: JSON.stringify(outcome),
    },
    summary: '',
    stdout: log.join('\n'),
    stderr: '',
    masks: [],
    runnerCommands: [],
    state: {},
    durationMs: performance.now() - started,
    runnerTemp: '',
    runnerTempAfterMain: [],
    runnerTempAfter: [],
  };
}

/**
 * A fresh emulated repository with the runbook file in place, people in their roles, a fake host,
 * and a scenario that runs the action in this process on each event (see harness/scenario.ts).
 */
export async function startInProcessWorkspace(options: {
  runbook?: string;
  roles?: Record<string, Role>;
  inputs?: Record<string, string>;
  clock?: () => Date;
  notifier?: NotifierPort;
  pacing?: 'none' | 'github';
  realSleep?: boolean;
}): Promise<{ emulator: GitHubEmulator; scenario: IncidentScenario; host: FakeHost; signals: FakeSignals }> {
  const emulator = await startEmulator(options.clock ? { now: options.clock } : {});
  if (options.runbook) emulator.putFile('.github/incident-runbook.yml', options.runbook);
  for (const [user, role] of Object.entries(options.roles ?? {})) emulator.setPermission(user, role);
  const host = new FakeHost();
  const signals = new FakeSignals();
  const scenario = new IncidentScenario({
    emulator,
    inputs: {
      'ssh-host': 'kb-vm.test',
      'ssh-user': 'deploy',
      'record-secret': 'an in-process test record secret, thirty-two characters or more',
      // Without a runbook file, the built-in runbook, as a user asks for it.
      ...(options.runbook ? {} : { runbook: 'builtin' }),
      ...options.inputs,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    runner: ({ eventName, payload, inputs, env, runId }) =>
      runInProcess(eventName, payload, {
        emulator,
        host,
        inputs,
        signals,
        runId,
        runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? '1'),
        ...(options.clock ? { now: options.clock } : {}),
        ...(options.notifier ? { notifier: options.notifier } : {}),
        ...(options.pacing ? { pacing: options.pacing } : {}),
        ...(options.realSleep ? { realSleep: true } : {}),
      }),
  });
  return { emulator, scenario, host, signals };
}
