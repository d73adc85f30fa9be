import { execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { interpretRunnerLog, type RunnerCommand } from './runner-commands.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface RunActionOptions {
  eventName: string;
  payload: unknown;
  /** Inputs by their action.yml names; defaults come from action.yml as the runner applies them. */
  inputs?: Record<string, string>;
  apiUrl: string;
  token?: string;
  repository?: string;
  runId?: number;
  /** Extra environment, e.g. a controlled clock. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The bundle to run; dist/index.js by default. */
  entry?: string;
  /** Called with the process once it started, e.g. to cancel it as the runner does. */
  onSpawn?: (child: ChildProcess) => void;
  /** Run the action's `post:` step afterwards, as the runner does (default true). */
  post?: boolean;
}

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  /** Values the action masked with core.setSecret, as the runner registered them. */
  masks: string[];
  /** Every workflow command the runner would have executed from the main step's output. */
  runnerCommands: RunnerCommand[];
  /** The main step's saved state (core.saveState), as the runner hands it to the post step. */
  state: Record<string, string>;
  durationMs: number;
  runnerTemp: string;
  /** Files in RUNNER_TEMP when the main step ended, before the post step. */
  runnerTempAfterMain: string[];
  /** Leftover files in RUNNER_TEMP after the run and its post step (keys must not remain). */
  runnerTempAfter: string[];
  /** The post step's output, when it ran. */
  post?: { exitCode: number; stdout: string; stderr: string };
}

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/** Runs the bundled action as a child process with the environment the Actions runner gives it. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (actionYml.runs.using !== `node${nodeMajor}`) {
    throw new Error(
      `action.yml runs on ${actionYml.runs.using} but this harness runs Node ${process.versions.node}`,
    );
  }
  const token = options.token ?? 'ghs_emulatorInstallationToken000000000000';
  const work = mkdtempSync(join(tmpdir(), 'action-run-'));
  const files = {
    event: join(work, 'event.json'),
    output: join(work, 'github_output'),
    summary: join(work, 'step_summary'),
    state: join(work, 'github_state'),
    env: join(work, 'github_env'),
    path: join(work, 'github_path'),
  };
  const runnerTemp = join(work, 'runner-temp');
  const workspace = join(work, 'workspace');
  mkdirSync(runnerTemp);
  mkdirSync(workspace);
  writeFileSync(files.event, JSON.stringify(options.payload, null, 2));
  for (const file of [files.output, files.summary, files.state, files.env, files.path])
    writeFileSync(file, '');

  const repository = options.repository ?? 'acme/slack-kb-agent';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? work,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${options.apiUrl}/graphql`,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
    GITHUB_RUN_ID: String(options.runId ?? 7000000001),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'Incident',
    GITHUB_JOB: 'incident',
    GITHUB_ACTION: '__run',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...inputEnvironment(actionYml, options.inputs ?? {}, token),
    ...options.env,
  };

  const started = performance.now();
  const child = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const process_ = execFile(
      process.execPath,
      // INCIDENT_ISSUEOPS_BUNDLE runs another build (say, an earlier release) through the same tests.
      [options.entry ?? process.env.INCIDENT_ISSUEOPS_BUNDLE ?? join(ROOT, actionYml.runs.main)],
      { env, cwd: workspace, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    options.onSpawn?.(process_);
  });
  const durationMs = performance.now() - started;
  try {
    const state = parseFileCommand(readFileSync(files.state, 'utf8'));
    const runnerTempAfterMain = listFiles(runnerTemp);
    const interpreted = interpretRunnerLog(child.stdout);
    // The runner runs `post:` after the job's steps, even when the main step failed or was cancelled.
    let post: ActionRun['post'];
    if (actionYml.runs.post && options.post !== false && !process.env.INCIDENT_ISSUEOPS_BUNDLE) {
      const stateEnv = Object.fromEntries(
        Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]),
      );
      post = await new Promise((done) => {
        execFile(
          process.execPath,
          [join(ROOT, actionYml.runs.post ?? '')],
          { env: { ...env, ...stateEnv }, cwd: workspace, timeout: 30_000 },
          (error, stdout, stderr) =>
            done({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    }
    return {
      exitCode: child.code,
      outputs: parseFileCommand(readFileSync(files.output, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
      stdout: child.stdout,
      stderr: child.stderr,
      masks: interpreted.masks,
      runnerCommands: interpreted.commands,
      state,
      durationMs,
      runnerTemp,
      runnerTempAfterMain,
      runnerTempAfter: listFiles(runnerTemp),
      ...(post ? { post } : {}),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `INPUT_<NAME>` for every input, with action.yml's defaults, as the runner sets them. */
function inputEnvironment(actionYml: ActionYml, inputs: Record<string, string>, token: string) {
  for (const name of Object.keys(inputs)) {
    if (!(name in actionYml.inputs)) throw new Error(`input "${name}" is not declared in action.yml`);
  }
  return Object.fromEntries(
    Object.entries(actionYml.inputs).map(([name, spec]) => {
      const fallback = (spec.default ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/, token);
      return [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, inputs[name] ?? fallback];
    }),
  );
}

/**
 * Cancels a step the way the Actions runner does: SIGINT, then SIGTERM after 7.5 s, then SIGKILL
 * after 2.5 s more, each only if the process is still there.
 */
export async function cancelLikeRunner(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const within = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  child.kill('SIGINT');
  if (await within(7_500)) return;
  child.kill('SIGTERM');
  if (await within(2_500)) return;
  child.kill('SIGKILL');
  await exited;
}

/** Parses GITHUB_OUTPUT's `name<<DELIMITER … DELIMITER` records. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1)
        value.push(lines[index] ?? '');
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}
