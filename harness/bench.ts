// Prints the figures the project tracks: latency to the first reaction, API requests per command,
// and what connection multiplexing saves. Figures only; nothing here asserts a threshold.
//
//   npm run bench
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunbook } from '../src/config/runbook.ts';
import { createSshExecutor } from '../src/executor/ssh.ts';
import { loadIncident } from '../src/flows/incident.ts';
import { createIssueWriter } from '../src/flows/writer.ts';
import { createSealer } from '../src/records/seal.ts';
import { createGitHubAdapter } from '../src/github/octokit-adapter.ts';
import { startDeployHost, stopDeployHost, type DeployHostState } from './deploy/host.ts';
import { startEmulator, type GitHubEmulator } from './github/emulator.ts';
import { runAction } from './run-action.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from './scenario.ts';
import { issueCommentCreated, matchEmulatorIssue } from './github/fixtures.ts';
import { existsSync } from 'node:fs';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNBOOK = readFileSync(join(ROOT, 'harness/deploy/incident-runbook.yml'), 'utf8');
const ROUNDS = 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const figures: [string, string][] = [];
const record = (name: string, value: string) => {
  figures.push([name, value]);
  process.stdout.write(`  ${name}: ${value}\n`);
};

async function freshScenario(
  state: DeployHostState,
): Promise<{ emulator: GitHubEmulator; scenario: IncidentScenario; issue: number }> {
  const { emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write', mallory: 'read' },
    inputs: sshInputs(state),
  });
  return { emulator, scenario, issue: scenario.openIncident('Bench incident', 'incident:p1') };
}

async function bundleStartup(): Promise<void> {
  const emulator = await startEmulator();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    times.push((await runAction({ eventName: 'push', payload: {}, apiUrl: emulator.url })).durationMs);
  }
  await emulator.close();
  record('bundle run for an ignored event (spawn to exit), median ms', median(times).toFixed(0));
}

async function firstReaction(state: DeployHostState): Promise<void> {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const { emulator, scenario, issue } = await freshScenario(state);
    const spawned = Date.now();
    await scenario.comment(issue, 'alice', '/status');
    const reaction = emulator.requests.find(
      (request) => request.operationId === 'reactions/create-for-issue-comment',
    );
    if (reaction) latencies.push(reaction.time.getTime() - spawned);
    await emulator.close();
  }
  record('spawn to first reaction (👀), median ms', median(latencies).toFixed(0));
  record('spawn to first reaction, min–max ms', `${Math.min(...latencies)}–${Math.max(...latencies)}`);
}

async function requestsPerCommand(state: DeployHostState): Promise<void> {
  const cases: [string, string, string][] = [
    ['successful command (/status, 1 step)', 'alice', '/status'],
    ['successful command (/diagnose app, 6 steps)', 'alice', '/diagnose app'],
    ['refused command (read permission)', 'mallory', '/restart'],
    ['malformed command', 'alice', '/rollback v1;reboot'],
  ];
  for (const [name, user, body] of cases) {
    const { emulator, scenario, issue } = await freshScenario(state);
    await scenario.comment(issue, user, body);
    const byOperation = new Map<string, number>();
    for (const request of emulator.requests) {
      byOperation.set(
        request.operationId ?? request.path,
        (byOperation.get(request.operationId ?? request.path) ?? 0) + 1,
      );
    }
    const detail = [...byOperation].map(([operation, count]) => `${operation}×${count}`).join(', ');
    record(`API requests, ${name}`, `${emulator.requests.length} (${detail})`);
    await emulator.close();
  }
}

async function lifecycleRequests(state: DeployHostState): Promise<void> {
  const { emulator, scenario, issue } = await freshScenario(state);
  await scenario.label(issue, 'incident:p1', 'alice');
  for (const body of [
    '/ack',
    '/commander @alice',
    '/update Rolled back; watching the error rate',
    '/mitigated',
    '/timeline',
  ]) {
    const before = emulator.requests.length;
    await scenario.comment(issue, 'alice', body);
    record(`API requests, lifecycle ${body.split(' ')[0]}`, String(emulator.requests.length - before));
  }
  await emulator.close();
}

/**
 * The noise budget: the bot comments each human command adds to the thread (the board, edited in
 * place, is not counted), over the demo's sequence of commands on the stand-in deployment host.
 */
async function noiseBudget(state: DeployHostState): Promise<void> {
  const { emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write', dana: 'maintain' },
    inputs: sshInputs(state),
  });
  const issue = scenario.openIssue('Bench incident: the agent answers 503', 'alice');
  const bot = () => emulator.listComments(issue).filter((comment) => comment.user?.type === 'Bot').length;
  const rows: { command: string; lifecycle: boolean; added: number }[] = [];
  const step = async (command: string, lifecycle: boolean, act: () => Promise<unknown>) => {
    const before = bot();
    await act();
    rows.push({ command, lifecycle, added: bot() - before });
  };
  await step('label incident:p0', true, () => scenario.label(issue, 'incident:p0', 'alice'));
  await step('/ack', true, () => scenario.comment(issue, 'alice', '/ack'));
  await step('/commander', true, () => scenario.comment(issue, 'alice', '/commander @dana'));
  await step('/diagnose', false, () => scenario.comment(issue, 'alice', '/diagnose app'));
  await step('/backup', false, () => scenario.comment(issue, 'alice', '/backup'));
  await step('/update', true, () => scenario.comment(issue, 'dana', '/update Rolling back to v1.1.0.'));
  await step('/rollback', false, () => scenario.comment(issue, 'alice', '/rollback v1.1.0'));
  const code = /\/confirm ([0-9a-f]{8})/.exec(scenario.actionComments(issue).at(-1) ?? '')?.[1] ?? '00000000';
  await step('/confirm', false, () => scenario.comment(issue, 'dana', `/confirm ${code}`));
  await step('/health', false, () => scenario.comment(issue, 'alice', '/health'));
  await step('/mitigated', true, () => scenario.comment(issue, 'dana', '/mitigated rolled back'));
  await step('/resolve', true, () => scenario.comment(issue, 'dana', '/resolve Rolled back to v1.1.0.'));
  await emulator.close();
  const per = (list: typeof rows) =>
    list.length === 0 ? '—' : (list.reduce((total, row) => total + row.added, 0) / list.length).toFixed(2);
  record('noise: bot comments per human command (demo sequence)', per(rows));
  record('noise: bot comments per lifecycle command', per(rows.filter((row) => row.lifecycle)));
  record('noise: bot comments per runbook command', per(rows.filter((row) => !row.lifecycle)));
  record('noise: bot comments by command', rows.map((row) => `${row.command} ${row.added}`).join(', '));
}

/**
 * The queue: a backlog of commands whose own runs never started (GitHub cancelled them while
 * pending), drained by the one run that did; and what a plain chat comment costs now that every
 * run on an incident looks at its queue.
 */
async function queueDrain(state: DeployHostState): Promise<void> {
  const BACKLOG = 50;
  const { emulator, scenario, issue } = await freshScenario(state);
  const posted = Array.from({ length: BACKLOG }, () => scenario.postComment(issue, 'alice', '/status'));
  const run = await posted.at(-1)!.start({ timeoutMs: 600_000 });
  const commands = emulator
    .listComments(issue)
    .filter((comment) => (comment.body ?? '').includes('Succeeded: `/status`')).length;
  record(
    `backlog of ${BACKLOG} /status drained by one run: commands run, total s, ms per command`,
    `${commands}, ${(run.durationMs / 1000).toFixed(1)}, ${(run.durationMs / BACKLOG).toFixed(0)}`,
  );
  record(`backlog of ${BACKLOG}: API requests per command`, (emulator.requests.length / BACKLOG).toFixed(1));
  const before = emulator.requests.length;
  await scenario.comment(issue, 'alice', 'Looking at the dashboards now.');
  record(
    'API requests, a comment without a command (queue check)',
    String(emulator.requests.length - before),
  );
  await emulator.close();
}

async function rebuildAtScale(): Promise<void> {
  const emulator = await startEmulator();
  const issue = emulator.createIssue({ title: 'Long incident', user: 'alice' });
  emulator.repo().addLabels(issue.number, ['incident:p1'], 'alice');
  for (let index = 0; index < 2500; index += 1) {
    emulator.addComment(issue.number, { user: `responder${index % 7}`, body: `note ${index}` });
  }
  const parsed = parseRunbook(RUNBOOK, 'demo');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const [owner = '', repo = ''] = emulator.repo().fullName.split('/');
  const github = createGitHubAdapter({
    token: 'ghs_bench',
    owner,
    repo,
    baseUrl: emulator.url,
    log: () => {},
  });
  const sealer = createSealer('', emulator.repo().fullName);
  const times: number[] = [];
  let requests = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = emulator.requests.length;
    const started = performance.now();
    await loadIncident(issue, {
      github,
      sealer,
      writer: createIssueWriter({ github, sealer, knownSecrets: [], runUrl: '', onOverflow: () => {} }),
      runbook: parsed.runbook,
      selfLogin: 'github-actions[bot]',
      labelPrefix: 'incident:',
      now: () => new Date(),
    });
    times.push(performance.now() - started);
    requests = emulator.requests.length - before;
  }
  await emulator.close();
  record('rebuild from 2,500 comments: API requests', String(requests));
  record('rebuild from 2,500 comments: median ms', median(times).toFixed(0));
}

async function multiplexing(state: DeployHostState): Promise<void> {
  const parsed = parseRunbook(RUNBOOK, 'demo');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const scripts = (parsed.runbook.commands.diagnose?.steps ?? [])
    .filter((step) => step.when?.scenario === 'app')
    .flatMap((step) => (step.run ? [step.run] : []));
  const connection = {
    host: state.sshHost,
    port: state.sshPort,
    user: state.sshUser,
    jumpHost: undefined,
    insecureSkipHostKeyCheck: false,
    connectTimeoutSeconds: 10,
  };
  const executorOptions = {
    connection,
    privateKey: state.privateKey,
    knownHosts: state.knownHostsLine,
    runnerTemp: state.baseDir,
    tracker: { track: () => {}, untrack: () => {} },
  };
  const shared: number[] = [];
  const perStep: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let started = performance.now();
    const executor = createSshExecutor(executorOptions);
    for (const script of scripts) await executor.run(script, 60);
    await executor.close();
    shared.push(performance.now() - started);

    started = performance.now();
    for (const script of scripts) {
      const own = createSshExecutor(executorOptions);
      await own.run(script, 60);
      await own.close();
    }
    perStep.push(performance.now() - started);
  }
  record(
    `${scripts.length}-step /diagnose app over one multiplexed connection, median ms`,
    median(shared).toFixed(0),
  );
  record(
    `${scripts.length}-step /diagnose app with one connection per step, median ms`,
    median(perStep).toFixed(0),
  );
  record('one connection per step ÷ multiplexed', (median(perStep) / median(shared)).toFixed(2));
}

/**
 * github/command's committed bundle, kept outside the repository (never committed): by default
 * .tmp/peers/github-command, a clone of https://github.com/github/command; or PEER_COMMAND_DIR.
 */
const PEER_DIR = process.env.PEER_COMMAND_DIR ?? join(ROOT, '.tmp/peers/github-command');

/** The inputs the runner would give github/command for `.ping` on an issue. */
function peerInputs(token: string): Record<string, string> {
  const action = parse(readFileSync(join(PEER_DIR, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
  };
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = String(spec.default ?? '');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value.includes('${{') ? '' : value;
  }
  return {
    ...env,
    INPUT_GITHUB_TOKEN: token,
    INPUT_STATUS: 'success',
    INPUT_COMMAND: '.ping',
    INPUT_ALLOWED_CONTEXTS: 'issue',
  };
}

interface Timing {
  firstRequest: number;
  reaction: number;
  exit: number;
}

async function timeRun(
  emulator: GitHubEmulator,
  run: () => Promise<{ durationMs: number }>,
): Promise<Timing> {
  const spawned = Date.now();
  const { durationMs } = await run();
  const first = emulator.requests[0]?.time.getTime() ?? NaN;
  const reaction =
    emulator.requests
      .find((request) => request.operationId === 'reactions/create-for-issue-comment')
      ?.time.getTime() ?? NaN;
  return { firstRequest: first - spawned, reaction: reaction - spawned, exit: durationMs };
}

/** This action's /help and github/command's .ping, alternately, against the same emulator build. */
async function sideBySide(state: DeployHostState): Promise<void> {
  const peer = join(PEER_DIR, 'dist/index.js');
  const ours: Timing[] = [];
  const theirs: Timing[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    {
      const { emulator, scenario, issue } = await freshScenario(state);
      emulator.requests.length = 0;
      ours.push(await timeRun(emulator, async () => (await scenario.comment(issue, 'alice', '/help')).run));
      await emulator.close();
    }
    if (!existsSync(peer)) continue;
    {
      const emulator = await startEmulator();
      emulator.setPermission('alice', 'write');
      const issue = emulator.createIssue({ title: 'Bench incident', user: 'alice' });
      const comment = emulator.addComment(issue.number, { user: 'alice', body: '.ping' });
      const fixture = issueCommentCreated({
        ...matchEmulatorIssue(emulator.getIssue(issue.number)!, emulator.repo().id),
        comment: {
          id: comment.id,
          body: '.ping',
          user: { login: 'alice', id: comment.user?.id ?? 1, type: 'User' },
          createdAt: comment.created_at,
          updatedAt: comment.updated_at,
        },
      });
      emulator.requests.length = 0;
      theirs.push(
        await timeRun(emulator, () =>
          runAction({
            eventName: fixture.eventName,
            payload: fixture.payload,
            apiUrl: emulator.url,
            repository: emulator.repo().fullName,
            entry: peer,
            env: { ...peerInputs('ghs_emulatorInstallationToken000000000000'), GITHUB_ACTOR: 'alice' },
            post: false,
          }),
        ),
      );
      await emulator.close();
    }
  }
  const show = (timings: Timing[], key: keyof Timing) => {
    const values = timings.map((timing) => timing[key]).filter((value) => Number.isFinite(value));
    return values.length
      ? `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`
      : 'n/a';
  };
  for (const [who, timings] of [
    ['incident-issueops /help', ours],
    ['github/command .ping', theirs],
  ] as const) {
    if (!timings.length) {
      record(
        `${who}`,
        `not measured: put github/command's repository at ${PEER_DIR} (or set PEER_COMMAND_DIR)`,
      );
      continue;
    }
    record(`${who}: spawn → first API request, median (min–max) ms`, show(timings, 'firstRequest'));
    record(`${who}: spawn → 👀, median (min–max) ms`, show(timings, 'reaction'));
    record(`${who}: spawn → exit, median (min–max) ms`, show(timings, 'exit'));
  }
}

/** API requests for an ignored event, and for one run on an issue that holds 2,000 comments. */
async function requestsAtScale(state: DeployHostState): Promise<void> {
  {
    const emulator = await startEmulator();
    await runAction({ eventName: 'push', payload: {}, apiUrl: emulator.url });
    record('API requests, an ignored event', String(emulator.requests.length));
    await emulator.close();
  }
  const { emulator, scenario, issue } = await freshScenario(state);
  for (let n = 0; n < 2_000; n += 1) {
    emulator.addComment(issue, {
      user: n % 3 ? 'alice' : 'mallory',
      body: `Looking at the dashboards (${n}).`,
    });
  }
  emulator.requests.length = 0;
  const { run } = await scenario.comment(issue, 'alice', '/status');
  record(
    'API requests, /status on an issue with 2,000 comments',
    `${emulator.requests.length} in ${(run.durationMs / 1000).toFixed(1)} s`,
  );
  await emulator.close();
}

async function main(): Promise<void> {
  process.stdout.write(`Incident IssueOps bench (Node ${process.versions.node}, ${ROUNDS} rounds each)\n`);
  const state = await startDeployHost();
  // BENCH_ONLY=noise,queue runs only those sections (names as below).
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const sections: [string, () => Promise<void>][] = [
    ['startup', bundleStartup],
    ['side-by-side', () => sideBySide(state)],
    ['scale', () => requestsAtScale(state)],
    ['first-reaction', () => firstReaction(state)],
    ['requests', () => requestsPerCommand(state)],
    ['lifecycle', () => lifecycleRequests(state)],
    ['noise', () => noiseBudget(state)],
    ['queue', () => queueDrain(state)],
    ['rebuild', rebuildAtScale],
    ['multiplexing', () => multiplexing(state)],
  ];
  try {
    record('deployment host start-up ms', String(state.startupMs));
    for (const [name, run] of sections) if (!only || only.includes(name)) await run();
  } finally {
    await stopDeployHost(state);
  }
  process.stdout.write('\n| Figure | Value |\n|---|---|\n');
  for (const [name, value] of figures) process.stdout.write(`| ${name} | ${value} |\n`);
}

await main();
