import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { readSettings, type Settings } from './config/inputs.ts';
import { routeEvent } from './events/route.ts';
import { createSshExecutor } from './executor/ssh.ts';
import { assembleDependencies } from './flows/assemble.ts';
import { createGitHubAdapter } from './github/octokit-adapter.ts';
import { handle } from './handle.ts';
import { notifierFor } from './notify/choose.ts';
import type { Outcome } from './outcome.ts';
import { redact } from './report/redact.ts';
import { renderSummary } from './report/summary.ts';
import { createRunnerLog } from './runner/log.ts';
import { runnerSignals } from './runner/signals.ts';
import { sourceStack } from './runner/stack.ts';
import { createWorkdirRegistry } from './runner/workdirs.ts';

/** Composition root: the only place that reads the real environment and builds adapters. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let secrets: string[] = [];
  const log = createRunnerLog(core.info);
  const overflows = new Set<string>();
  const runnerTemp = env.RUNNER_TEMP ?? tmpdir();
  const workdirs = createWorkdirRegistry({ runnerTemp, saveState: core.saveState, warn: core.warning });
  // Whatever way the process ends, the SSH key and the master connection go with it.
  process.once('exit', () => workdirs.removeAll());
  try {
    const settingsResult = readSettings((name) => core.getInput(name));
    if (!settingsResult.ok) {
      await finish(
        { status: 'error', reason: 'invalid-input', message: settingsResult.errors.join('\n') },
        secrets,
        log,
        overflows,
      );
      return;
    }
    const { settings } = settingsResult;
    secrets = [
      ...new Set([
        settings.token,
        settings.ssh.privateKey,
        settings.recordSecret,
        settings.slackWebhookUrl,
        // The webhook's own token, should anything print the path without the host.
        ...[settings.slackWebhookUrl.split('/').at(-1) ?? ''].filter((part) => part.length >= 16),
      ]),
    ].filter((secret) => secret.length > 0);
    // The runner masks line by line, so a multi-line key is registered one line at a time.
    secrets
      .flatMap((secret) => secret.split(/\r?\n/))
      .map((line) => line.trim())
      .filter((line) => line.length >= 6)
      .forEach((line) => core.setSecret(line));
    const outcome = await runEvent(env, settings, secrets, {
      log,
      runnerTemp,
      workdirs,
      onOverflow: (text) => overflows.add(text),
    });
    await finish(outcome, secrets, log, overflows);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Where it happened, in src/ terms, for the bug report (redacted like everything logged).
    if (error instanceof Error && error.stack) log(redact(sourceStack(error.stack), secrets).text);
    await finish({ status: 'error', reason: 'unexpected', message }, secrets, log, overflows);
  } finally {
    workdirs.removeAll();
  }
}

interface RunContext {
  log: (message: string) => void;
  runnerTemp: string;
  workdirs: ReturnType<typeof createWorkdirRegistry>;
  onOverflow: (text: string) => void;
}

async function runEvent(
  env: NodeJS.ProcessEnv,
  settings: Settings,
  secrets: string[],
  context: RunContext,
): Promise<Outcome> {
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
  const now = clockFrom(env);
  const runUrl = `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`;
  const github = createGitHubAdapter({
    token: settings.token,
    owner,
    repo,
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    log: context.log,
    // For tests against the emulator only: GitHub itself is always paced.
    pacing: env.INCIDENT_ISSUEOPS_PACING === 'none' ? 'none' : 'github',
  });
  const runner = runnerSignals({
    warn: core.warning,
    beforeExit: () => context.workdirs.removeAll(),
    fail: core.setFailed,
  });
  const deps = assembleDependencies({
    settings,
    repository,
    serverUrl,
    github,
    notifier: notifierFor(settings, { sleep: runner.sleep, log: context.log }),
    now,
    elapsedMs: () => performance.now(),
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? '1') || 1,
    log: context.log,
    warn: core.warning,
    runUrl,
    secrets,
    onOverflow: context.onOverflow,
    ...runner,
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
        runnerTemp: context.runnerTemp,
        tracker: context.workdirs,
        knownSecrets: secrets,
      }),
  });
  if (deps.sealer.mode === 'unsealed')
    core.warning(
      'Neither record-secret nor ssh-private-key is set: what this action records on issues is not sealed, so anyone who can edit comments could alter it.',
    );
  try {
    return await handle(route, deps);
  } finally {
    const counts = deps.github.requestCounts();
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    context.log(
      `GitHub API: ${total} calls (${Object.entries(counts)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ')})`,
    );
  }
}

async function finish(
  outcome: Outcome,
  secrets: string[],
  log: (message: string) => void,
  overflows: Set<string>,
): Promise<void> {
  const safe = (text: string) => redact(text, secrets).text;
  core.setOutput('status', outcome.status);
  core.setOutput('reason', outcome.reason);
  core.setOutput('command', outcome.command ?? '');
  core.setOutput('exit-code', outcome.exitCode === undefined ? '' : String(outcome.exitCode));
  core.setOutput('result', safe(JSON.stringify(outcome)));
  if (outcome.status !== 'ignored' && process.env.GITHUB_STEP_SUMMARY) {
    const cut = [...overflows].map(
      (text) => `\n<details><summary>Text cut from a comment</summary>\n\n${text}\n\n</details>\n`,
    );
    await core.summary.addRaw(safe(renderSummary(outcome) + cut.join('')).slice(0, 900_000)).write();
  }
  const line = safe(`${outcome.status} (${outcome.reason}): ${outcome.message}`);
  if (outcome.status === 'error') core.setFailed(line);
  else if (outcome.status === 'ignored') log(`Ignored: ${safe(outcome.message)}`);
  else log(line);
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

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; this action runs inside a GitHub Actions job`);
  return value;
}
