#!/usr/bin/env node
/**
 * `incident-issueops`: the terminal client. It checks a runbook before it merges, shows the plan
 * a command line would run, runs it over SSH when GitHub or Actions is down (journalling every
 * event), and replays that journal into the incident issue when GitHub is back. This file wires
 * the terminal, files, ssh and the GitHub API to the decisions in core.ts.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { HOST, JUMP_HOST, USER } from '../config/inputs.schema.ts';
import { PERMISSION_LEVELS, type Permission } from '../config/runbook.schema.ts';
import { createSshExecutor } from '../executor/ssh.ts';
import { removeWorkdir } from '../executor/workdir.ts';
import { checkJournal, GITHUB_LOGIN, type JournalEntry } from '../journal/journal.ts';
import { BUILTIN_RUNBOOK, loadRunbook } from '../runbook/load.ts';
import { planLine, planReplay, runSession, validateRunbook, type OutputFormat } from './core.ts';

const DEFAULT_RUNBOOK = '.github/incident-runbook.yml';
const DEFAULT_JOURNAL = 'incident-journal.ndjson';

/** A failure the person can fix: printed as it is, exit 1, no stack trace. */
class Refusal extends Error {}

const out = (text: string) => process.stdout.write(text);

async function runbookFrom(path: string) {
  const loaded = await loadRunbook(path, 'here', async (file) =>
    existsSync(file) ? readFileSync(file, 'utf8') : undefined,
  );
  if (!loaded.ok)
    throw new Refusal(`Cannot use the runbook ${loaded.source}:\n${loaded.errors.join('\n')}\n`);
  return loaded;
}

const permission = (value: string): Permission => {
  if (!(PERMISSION_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${PERMISSION_LEVELS.join(', ')}`);
  }
  return value as Permission;
};

const port = (value: string): number => {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > 65535)
    throw new InvalidArgumentError('a port from 1 to 65535');
  return number;
};

/** Host and account names as the action's inputs take them: never read as an ssh option. */
const matching =
  (pattern: RegExp, what: string) =>
  (value: string): string => {
    if (value === '' || !pattern.test(value)) throw new InvalidArgumentError(what);
    return value;
  };
const host = matching(HOST, 'a host name or IP address');
const user = matching(USER, 'an account name (letters, digits, ".", "_", "-")');
const jumpHost = matching(JUMP_HOST, 'written [user@]host[:port]');
const login = matching(GITHUB_LOGIN, 'a GitHub login (letters, digits and single hyphens)');

const positiveInteger = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('a whole number of 1 or more');
  return Number(value);
};

function readJournalFile(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') return [];
  const checked = checkJournal(text);
  if (!checked.ok) {
    throw new Refusal(
      `The journal ${path} is broken at line ${checked.line}: ${checked.message}. Start a new journal with --journal.\n`,
    );
  }
  return checked.entries;
}

export function program(): Command {
  const cli = new Command('incident-issueops')
    .description(
      'Incident response as IssueOps, from a terminal: check a runbook, see a plan, run it when GitHub is down.',
    )
    .showHelpAfterError();

  cli
    .command('validate')
    .description(
      'Check a runbook file: every problem at once, with line and column and what to write instead',
    )
    .argument('[file]', 'the runbook file', DEFAULT_RUNBOOK)
    .addOption(
      new Option('--format <format>', 'text, or github for workflow annotations')
        .choices(['text', 'github'])
        .default('text'),
    )
    .action((file: string, options: { format: OutputFormat }) => {
      if (!existsSync(file)) throw new Refusal(`${file}: no such file\n`);
      const result = validateRunbook(readFileSync(file, 'utf8'), file, options.format);
      out(result.output);
      process.exitCode = result.exitCode;
    });

  const runbookOption = () =>
    new Option('--runbook <file>', `the runbook file, or "${BUILTIN_RUNBOOK}" for the built-in one`).default(
      DEFAULT_RUNBOOK,
    );

  cli
    .command('plan')
    .description('Show the exact plan the action would post for a command line (offline)')
    .argument('<command-line>', 'for example "/rollback v1.4.2"')
    .addOption(runbookOption())
    .option('--as <role>', 'check whether someone with this repository role may run it', permission)
    .option('--permission <floor>', "the action's permission input", permission, 'write')
    .option('--host <host>', 'the ssh-host input', '<ssh-host>')
    .option('--user <user>', 'the ssh-user input', '<ssh-user>')
    .option('--port <port>', 'the ssh-port input', port, 22)
    .action(
      async (
        line: string,
        options: {
          runbook: string;
          as?: Permission;
          permission: Permission;
          host: string;
          user: string;
          port: number;
        },
      ) => {
        const loaded = await runbookFrom(options.runbook);
        const planned = planLine({
          line,
          runbook: loaded.runbook,
          runbookSource: loaded.source,
          floor: options.permission,
          as: options.as,
          ssh: { host: options.host, user: options.user, port: options.port },
          defaultTimeoutSeconds: 300,
        });
        if (!planned.ok) throw new Refusal(`${planned.message}\n`);
        out(planned.text);
      },
    );

  cli
    .command('run')
    .description('Run a runbook command over SSH from this terminal (break glass), journalling every event')
    .argument('<command-line>', 'for example "/restart"')
    .requiredOption('--host <host>', 'the deployment host', host)
    .requiredOption('--user <user>', 'the account on it', user)
    .requiredOption('--key <file>', 'the private key file')
    .requiredOption('--known-hosts <file>', 'known_hosts lines for the host: its key is checked strictly')
    .option('--port <port>', 'the ssh port', port, 22)
    .option('--jump-host <[user@]host[:port]>', 'a bastion, reached with the same strict options', jumpHost)
    .addOption(runbookOption())
    .option('--journal <file>', 'the journal to append to (NDJSON, hash-chained)', DEFAULT_JOURNAL)
    .option(
      '--login <github-login>',
      'who the journal names (default: $GITHUB_ACTOR, else your account name)',
      login,
    )
    .option(
      '--timeout <seconds>',
      'a command without its own timeout gets this many seconds',
      positiveInteger,
      600,
    )
    .action(async (line: string, options: RunOptions) => {
      const loaded = await runbookFrom(options.runbook);
      const runbook = loaded.runbook;
      const planned = planLine({
        line,
        runbook,
        runbookSource: loaded.source,
        floor: 'read',
        ssh: { host: options.host, user: options.user, port: options.port },
        defaultTimeoutSeconds: options.timeout,
      });
      if (!planned.ok) throw new Refusal(`${planned.message}\n`);
      const privateKey = readFileSync(options.key, 'utf8');
      const knownHosts = readFileSync(options.knownHosts, 'utf8');
      if (knownHosts.trim() === '')
        throw new Refusal(`${options.knownHosts} is empty: host keys are always checked\n`);
      const last = readJournalFile(options.journal).at(-1);
      const login = options.login ?? process.env.GITHUB_ACTOR ?? userInfo().username;
      if (!GITHUB_LOGIN.test(login)) {
        throw new Refusal(
          `"${login}" is not a GitHub login: pass --login with yours (letters, digits and single hyphens)\n`,
        );
      }
      const workdirs = new Set<string>();
      const cleanUp = () => workdirs.forEach((dir) => removeWorkdir(dir, tmpdir()));
      // The session folder holds a copy of the key: removed however the session ends.
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
        ['SIGHUP', 129],
      ] as const) {
        process.once(signal, () => {
          cleanUp();
          process.exit(code);
        });
      }
      const terminal = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: process.stdin.isTTY,
      });
      try {
        const result = await runSession(
          { planned, login, runbookSource: loaded.source, last },
          {
            executor: (target) =>
              createSshExecutor({
                connection: {
                  host: target.host,
                  port: target.port,
                  user: target.user,
                  jumpHost: options.jumpHost,
                  insecureSkipHostKeyCheck: false,
                  connectTimeoutSeconds: 15,
                },
                privateKey,
                knownHosts,
                runnerTemp: tmpdir(),
                tracker: { track: (dir) => workdirs.add(dir), untrack: (dir) => workdirs.delete(dir) },
                knownSecrets: [privateKey],
              }),
            ask: async (question) => {
              try {
                return await terminal.question(question);
              } catch {
                return '';
              }
            },
            append: (ndjson) => appendFileSync(options.journal, ndjson, { mode: 0o600 }),
            print: out,
            now: () => new Date(),
          },
        );
        out(
          `Journal: ${options.journal} (${result.entries.length} new entries). When GitHub is back: incident-issueops replay ${options.journal} --issue N\n`,
        );
        process.exitCode = result.status === 'success' ? 0 : result.status === 'declined' ? 2 : 1;
      } finally {
        terminal.close();
        cleanUp();
      }
    });

  cli
    .command('replay')
    .description(
      'Post a journal into the incident issue as offline timeline entries (once; a broken chain is refused)',
    )
    .argument('<journal>', 'the journal file')
    .requiredOption('--issue <number>', 'the incident issue', positiveInteger)
    .requiredOption('--repo <owner/name>', 'the repository')
    .option('--api-url <url>', 'the GitHub API', process.env.GITHUB_API_URL ?? 'https://api.github.com')
    .option(
      '--bot-login <login>',
      'the login the action posts as (its bot-login input)',
      'github-actions[bot]',
    )
    .action(
      async (journal: string, options: { issue: number; repo: string; apiUrl: string; botLogin: string }) => {
        const token = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;
        if (!token)
          throw new Refusal(
            'Set GITHUB_TOKEN (or GH_TOKEN) to a token that may comment on the issue; it is never taken as an argument.\n',
          );
        const [owner, repo, ...rest] = options.repo.split('/');
        if (!owner || !repo || rest.length > 0)
          throw new Refusal(`--repo is written owner/name, not ${options.repo}\n`);
        if (!existsSync(journal)) throw new Refusal(`${journal}: no such file\n`);
        const { getOctokit } = await import('@actions/github');
        const octokit = getOctokit(token, { baseUrl: options.apiUrl.replace(/\/$/, '') });
        const comments = await octokit.paginate(octokit.rest.issues.listComments, {
          owner,
          repo,
          issue_number: options.issue,
          per_page: 100,
        });
        const plan = planReplay(
          readFileSync(journal, 'utf8'),
          comments.map((comment) => ({ author: comment.user?.login ?? '', body: comment.body ?? '' })),
          options.botLogin,
        );
        if (!plan.ok) throw new Refusal(`${plan.message}\nNothing was posted.\n`);
        if (plan.comments.length === 0) {
          out(
            `Nothing to replay: all ${plan.total} entries of ${journal} are already on issue #${options.issue}.\n`,
          );
          return;
        }
        for (const body of plan.comments) {
          const posted = await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: options.issue,
            body,
          });
          out(`Posted ${posted.data.html_url}\n`);
        }
        out(
          `${plan.total - plan.alreadyThere} entries posted${plan.alreadyThere > 0 ? ` (${plan.alreadyThere} were already there)` : ''}. The action records them on the timeline as offline entries when it runs on these comments; run replay again after it has answered to check that nothing is missing.\n`,
        );
      },
    );

  cli
    .command('alertmanager-relay')
    .description(
      "Forward Alertmanager's webhook to GitHub as repository_dispatch 'alertmanager' (runs until stopped)",
    )
    .requiredOption('--repo <owner/name>', 'the repository whose incident workflow listens')
    .option(
      '--listen <host:port>',
      'where Alertmanager posts (loopback unless you say otherwise)',
      '127.0.0.1:9095',
    )
    .option('--api-url <url>', 'the GitHub API', process.env.GITHUB_API_URL ?? 'https://api.github.com')
    .option('--secret-file <file>', 'a shared secret Alertmanager sends as a bearer token (its http_config)')
    .action(async (options: { repo: string; listen: string; apiUrl: string; secretFile?: string }) => {
      const token = process.env.INCIDENT_ISSUEOPS_DISPATCH_TOKEN;
      if (!token)
        throw new Refusal(
          "Set INCIDENT_ISSUEOPS_DISPATCH_TOKEN to a token that starts workflows (a fine-grained token or GitHub App token with Contents: write; a workflow's GITHUB_TOKEN starts none). It is never taken as an argument.\n",
        );
      const [owner, name, ...rest] = options.repo.split('/');
      if (!owner || !name || rest.length > 0)
        throw new Refusal(`--repo is written owner/name, not ${options.repo}\n`);
      const listen = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(options.listen);
      if (!listen) throw new Refusal(`--listen is written host:port, not ${options.listen}\n`);
      const secret = options.secretFile ? readFileSync(options.secretFile, 'utf8').trim() : undefined;
      const host = (listen[1] ?? '').replace(/^\[|\]$/g, '');
      if (secret === undefined && !/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host))
        throw new Refusal(
          `--listen ${options.listen} is reachable from other machines: give --secret-file, or anyone who reaches it can open incidents\n`,
        );
      if (secret !== undefined && secret.length < 16)
        throw new Refusal(`${options.secretFile}: the shared secret must be 16 characters or more\n`);
      const baseUrl = options.apiUrl.replace(/\/$/, '');
      const { startRelay } = await import('./relay.ts');
      const relay = await startRelay({
        host,
        port: Number(listen[2]),
        repo: { owner, name },
        secret,
        async dispatch(body) {
          try {
            const response = await fetch(`${baseUrl}/repos/${owner}/${name}/dispatches`, {
              method: 'POST',
              headers: {
                accept: 'application/vnd.github+json',
                authorization: `Bearer ${token}`,
                'content-type': 'application/json',
                'user-agent': 'incident-issueops-alertmanager-relay',
                'x-github-api-version': '2022-11-28',
              },
              body: JSON.stringify(body),
              signal: AbortSignal.timeout(20_000),
            });
            const text = await response.text();
            const retryAfter = Number(response.headers.get('retry-after') ?? '');
            return {
              status: response.status,
              ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}),
              ...(text ? { message: text.slice(0, 300).replaceAll(token, '***') } : {}),
            };
          } catch (error) {
            return { status: 0, message: String(error).replaceAll(token, '***') };
          }
        },
        sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
        log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
      });
      out(
        `Relaying Alertmanager's webhook at ${relay.url} to ${owner}/${name} (repository_dispatch "alertmanager")\n`,
      );
      await new Promise<void>((done) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          process.once(signal, () => void relay.close().then(done));
      });
    });

  return cli;
}

interface RunOptions {
  host: string;
  user: string;
  key: string;
  knownHosts: string;
  port: number;
  jumpHost?: string;
  runbook: string;
  journal: string;
  login?: string;
  timeout: number;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof Refusal) {
    process.stderr.write(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
