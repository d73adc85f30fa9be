import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { readSettings, type Settings } from './config/inputs.ts';
import { routeEvent } from './events/route.ts';
import { createSshExecutor } from './executor/ssh.ts';
import type { Dependencies, RunSignals } from './flows/dependencies.ts';
import { createGitHubAdapter } from './github/octokit-adapter.ts';
import { handle } from './handle.ts';
import type { Outcome } from './outcome.ts';
import { redact } from './report/redact.ts';
import { renderSummary } from './report/summary.ts';

/** Composition root: the only place that reads the real environment and builds adapters. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let secrets: string[] = [];
  try {
    const settingsResult = readSettings((name) => core.getInput(name));
    if (!settingsResult.ok) {
      await finish(
        { status: 'error', reason: 'invalid-input', message: settingsResult.errors.join('\n') },
        secrets,
      );
      return;
    }
    const { settings } = settingsResult;
    secrets = [settings.token, settings.ssh.privateKey].filter((secret) => secret.length > 0);
    // The runner masks line by line, so a multi-line key is registered one line at a time.
    secrets
      .flatMap((secret) => secret.split(/\r?\n/))
      .map((line) => line.trim())
      .filter((line) => line.length >= 6)
      .forEach((line) => core.setSecret(line));
    await finish(await runEvent(env, settings, secrets), secrets);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finish({ status: 'error', reason: 'unexpected', message }, secrets);
  }
}

async function runEvent(env: NodeJS.ProcessEnv, settings: Settings, secrets: string[]): Promise<Outcome> {
  const eventName = required(env, 'GITHUB_EVENT_NAME');
  const payload: unknown = JSON.parse(readFileSync(required(env, 'GITHUB_EVENT_PATH'), 'utf8'));
  const route = routeEvent(eventName, payload, {
    labelPrefix: settings.labelPrefix,
    selfLogin: settings.botLogin,
  });
  if (route.kind === 'ignore') return { status: 'ignored', reason: 'not-applicable', message: route.reason };
  if (route.kind === 'invalid') return { status: 'error', reason: 'invalid-payload', message: route.reason };

  const repository = required(env, 'GITHUB_REPOSITORY');
  const [owner = '', repo = ''] = repository.split('/');
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const deps: Dependencies = {
    settings,
    github: createGitHubAdapter({
      token: settings.token,
      owner,
      repo,
      baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      log: core.info,
    }),
    now: clockFrom(env),
    log: core.info,
    warn: core.warning,
    selfLogin: settings.botLogin,
    runUrl: `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`,
    secrets,
    ...runnerSignals(),
    createExecutor: (target) =>
      createSshExecutor({
        connection: {
          host: target.host,
          port: target.port,
          user: target.user,
          jumpHost: settings.ssh.jumpHost,
          insecureSkipHostKeyCheck: settings.ssh.insecureSkipHostKeyCheck,
          connectTimeoutSeconds: 10,
        },
        privateKey: settings.ssh.privateKey,
        knownHosts: settings.ssh.knownHosts,
        runnerTemp: env.RUNNER_TEMP ?? tmpdir(),
      }),
  };
  return handle(route, deps);
}

async function finish(outcome: Outcome, secrets: string[]): Promise<void> {
  const safe = (text: string) => redact(text, secrets).text;
  core.setOutput('status', outcome.status);
  core.setOutput('reason', outcome.reason);
  core.setOutput('command', outcome.command ?? '');
  core.setOutput('exit-code', outcome.exitCode === undefined ? '' : String(outcome.exitCode));
  core.setOutput('result', safe(JSON.stringify(outcome)));
  if (outcome.status !== 'ignored' && process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(safe(renderSummary(outcome))).write();
  }
  const line = safe(`${outcome.status} (${outcome.reason}): ${outcome.message}`);
  if (outcome.status === 'error') core.setFailed(line);
  else if (outcome.status === 'ignored') core.info(`Ignored: ${safe(outcome.message)}`);
  else core.info(line);
}

/**
 * The real clock, unless INCIDENT_ISSUEOPS_NOW holds a fixed ISO time: replays, demos and
 * end-to-end tests play an incident on a clock they control.
 */
function clockFrom(env: NodeJS.ProcessEnv): () => Date {
  const fixed = env.INCIDENT_ISSUEOPS_NOW;
  if (!fixed) return () => new Date();
  const at = new Date(fixed);
  if (Number.isNaN(at.getTime())) throw new Error(`INCIDENT_ISSUEOPS_NOW="${fixed}" is not an ISO time`);
  return () => new Date(at);
}

/**
 * The runner cancels a step with SIGINT, then SIGTERM 7.5 s later, then kills it 2.5 s after that.
 * On SIGINT the run finishes the command in progress and takes no new one; on SIGTERM it records
 * the command it could not finish, then exits.
 */
function runnerSignals(): { signals: RunSignals; sleep: (ms: number) => Promise<void> } {
  let stop = false;
  const wakers = new Set<() => void>();
  const handlers = new Set<() => Promise<void>>();
  const requestStop = (signal: string) => {
    if (!stop)
      core.warning(
        `${signal}: the run was cancelled; it finishes the command in progress and takes no new one.`,
      );
    stop = true;
    for (const wake of wakers) wake();
  };
  process.on('SIGINT', () => requestStop('SIGINT'));
  process.on('SIGTERM', () => {
    requestStop('SIGTERM');
    void (async () => {
      for (const handler of handlers) {
        try {
          await handler();
        } catch (error) {
          core.warning(`Could not record the interrupted command: ${String(error)}`);
        }
      }
      core.setFailed('The run was cancelled (SIGTERM).');
      process.exit(1);
    })();
  });
  return {
    signals: {
      stopRequested: () => stop,
      onTerminate(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (stop) return resolve();
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
      }),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; this action runs inside a GitHub Actions job`);
  return value;
}
