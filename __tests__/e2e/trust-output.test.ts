// Text from hosts, from the network and from comments: it never reaches the runner as a workflow
// command, a secret never reaches the log, the outputs, the summary or a comment, and nothing of it
// renders as live Markdown (mentions, links, images, HTML) under the action's name.
import net from 'node:net';
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { liveOccurrences } from '../../harness/live-markdown.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();
const TOKEN_TAIL = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEAD_BYTES = 48 * 1024;
const TAIL_BYTES = 16 * 1024;

const filler = (bytes: number) => `head -c ${bytes} /dev/zero | tr '\\0' x`;
const token = `t=ghp_; printf '%s%s\\n' "$t" ${TOKEN_TAIL}`;
const step = (name: string, script: string) =>
  `      - name: ${name}\n        continue-on-error: true\n        run: |\n          ${script}`;

const RUNBOOK = `version: 1
service: output checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  colour:
    description: grep --color before a token
    steps:
      - name: Colour
        run: t=ghp_; printf '\\033[01;31m\\033[K%s%s\\033[m\\033[K and OSC \\033]8;;http://x\\007link\\033]8;;\\007\\n' "$t" ${TOKEN_TAIL}
  straddle:
    description: Tokens across the head and tail cuts of the capture
    steps:
${[-20, -4, 1].map((offset) => step(`Head cut ${offset}`, `${filler(HEAD_BYTES + offset)}; ${token}; ${filler(200_000)}`)).join('\n')}
${[10, 30].map((inside) => step(`Tail cut ${inside}`, `${filler(200_000)}; ${token}; ${filler(TAIL_BYTES - inside)}`)).join('\n')}
  commands:
    description: Prints workflow commands
    steps:
      - name: Workflow commands
        run: |
          echo '::add-mask::publicvalue'
          echo '::error title=pwned::pwned-by-host'
          echo '  ::warning::indented-pwned'
          echo '##[set-output name=status;]hacked'
          echo '::set-output name=status::hacked'
          echo '::save-state name=ssh-workdirs::["/"]'
          echo '::stop-commands::guess'
          echo '::guess::'
          echo 'done'
`;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write' },
    inputs: sshInputs(host()),
  }));
  issue = scenario.openIssue('Output', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const everywhere = (run: { summary: string; stdout: string; stderr: string; outputs: unknown }) =>
  [
    ...scenario.actionComments(issue),
    scenario.board(issue),
    run.summary,
    run.stdout,
    run.stderr,
    JSON.stringify(run.outputs),
  ].join('\n');

describe('secrets in host output', () => {
  test('a token after colour codes is redacted in the comment, the log, the summary and the outputs', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/colour');
    expect(run.outputs.status).toBe('success');
    const all = everywhere(run);
    expect(all).not.toContain(TOKEN_TAIL.slice(0, 20));
    expect(all).not.toContain('\u001b');
    expect(scenario.actionComments(issue).at(-1)).toContain('***GitHub token redacted***');
  });

  test('a token across the head or the tail cut of the capture is redacted before it is cut', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/straddle');
    expect(run.outputs.status).toBe('success');
    const all = everywhere(run);
    for (let start = 0; start + 8 <= TOKEN_TAIL.length; start += 1)
      expect(all).not.toContain(TOKEN_TAIL.slice(start, start + 8));
  });
});

describe('host output is never a workflow command', () => {
  test('lines starting with :: or holding ##[ reach the log as text, not as commands', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/commands');
    expect(run.outputs.status).toBe('success');
    const executed = run.runnerCommands.map((command) => `${command.name}: ${command.data}`);
    for (const text of ['publicvalue', 'pwned-by-host', 'indented-pwned', 'hacked', '["/"]'])
      expect(executed.filter((line) => line.includes(text))).toEqual([]);
    expect(run.masks).not.toContain('publicvalue');
    expect(run.state['ssh-workdirs']).not.toContain('"/"');
    // The output is still in the log, as text.
    expect(run.stdout).toContain('::error title=pwned::pwned-by-host');
    // And the action's own commands still work after it.
    expect(run.runnerCommands.some((command) => command.name === 'add-mask')).toBe(true);
  });

  test('a comment’s text in the log cannot issue commands either', async () => {
    const { run } = await scenario.comment(issue, 'alice', '/colour ##[error]from-comment ::warning::x');
    expect(run.outputs.status).toBe('refused');
    expect(run.runnerCommands.filter((command) => command.data.includes('from-comment'))).toEqual([]);
  });
});

describe('text from the network is echoed, never rendered', () => {
  const HOSTILE =
    '@everyone look ![x](http://evil.example/i.png) [login](http://evil.example/login) <img src=x onerror=alert(1)> http://evil.example/raw #1';

  test('a server that sends a disconnect before key exchange cannot write Markdown into the result', async () => {
    const server = net.createServer((socket) => {
      socket.write('SSH-2.0-OpenSSH_9.2p1\r\n');
      socket.once('data', () => {
        const text = Buffer.from(HOSTILE);
        const u32 = (n: number) => {
          const buffer = Buffer.alloc(4);
          buffer.writeUInt32BE(n);
          return buffer;
        };
        const payload = Buffer.concat([Buffer.from([1]), u32(2), u32(text.length), text, u32(0)]);
        let padding = 8 - ((payload.length + 5) % 8);
        if (padding < 4) padding += 8;
        socket.end(
          Buffer.concat([
            u32(payload.length + padding + 1),
            Buffer.from([padding]),
            payload,
            Buffer.alloc(padding),
          ]),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const sessions = (await readCommandLog(host())).length;
      const { run } = await scenario.comment(issue, 'alice', '/colour', { 'ssh-port': String(port) });
      expect(run.outputs).toMatchObject({ status: 'failure', reason: 'ssh-error' });
      expect((await readCommandLog(host())).length).toBe(sessions);
      const result = scenario.actionComments(issue).at(-1) ?? '';
      expect(result).toContain('evil.example');
      for (const needle of ['evil.example', 'everyone', 'onerror']) {
        expect(liveOccurrences(result, needle)).toEqual([]);
        // The job summary is Markdown on the run's page: echoed there too.
        expect(liveOccurrences(run.summary, needle)).toEqual([]);
      }
      expect(run.summary).toContain('evil.example');
    } finally {
      server.close();
    }
  });

  test('/update, /mitigated and /resolve text, and the issue title, show as code on every comment', async () => {
    // A command line must be plain text (a link or an image in it is refused), but its text can
    // still spell Markdown: through inline code, backslash escapes and entities.
    const typed =
      '@everyone look `![x](http://evil.example/i.png)` `[login](http://evil.example/login)` \\[click\\] &lt;img src=x onerror=alert(1)&gt;';
    const titled = scenario.openIssue(`Outage ${HOSTILE}`, 'alice');
    await scenario.label(titled, 'incident:p1', 'alice');
    for (const command of [
      `/update ${typed}`,
      `/mitigated ${typed}`,
      '/timeline',
      `/resolve --force ${typed}`,
    ]) {
      const { run } = await scenario.comment(titled, 'alice', command);
      expect(run.outputs.status).toBe('success');
    }
    const comments = [...scenario.actionComments(titled), scenario.board(titled)];
    expect(comments.some((body) => body.startsWith('# Postmortem'))).toBe(true);
    // /update and /mitigated have no comment of their own: their text is on the board, the
    // timeline and the postmortem.
    const carrying = comments.filter((body) => body.includes('evil.example'));
    expect(carrying).toContain(scenario.board(titled));
    expect(carrying.some((body) => body.startsWith('# Postmortem'))).toBe(true);
    // The board, the /timeline reply and the postmortem at least.
    expect(carrying.length).toBeGreaterThanOrEqual(3);
    for (const body of comments)
      for (const needle of ['evil.example', 'everyone', 'onerror'])
        expect(liveOccurrences(body, needle)).toEqual([]);
  });
});
