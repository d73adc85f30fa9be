// The terminal client's decisions through its ports: a fake host and terminal, a journal in memory.
import { readFileSync } from 'node:fs';
import { FakeHost } from '../../harness/in-process.ts';
import { STANDIN_RUNBOOK } from '../../harness/scenario.ts';
import { planLine, planReplay, runSession, validateRunbook, type SessionPorts } from '../../src/cli/core.ts';
import { parseRunbook } from '../../src/config/runbook.ts';
import { checkJournal, type JournalEntry } from '../../src/journal/journal.ts';

const parsed = parseRunbook(STANDIN_RUNBOOK, 'demo.yml');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const runbook = parsed.runbook;
const ssh = { host: 'kb-vm.test', user: 'deploy', port: 22 };
const plan = (line: string, as?: 'read' | 'triage' | 'write' | 'maintain' | 'admin') =>
  planLine({ line, runbook, runbookSource: 'demo.yml', floor: 'write', as, ssh, defaultTimeoutSeconds: 300 });

describe('validate', () => {
  const broken = readFileSync(new URL('../corpus/runbooks/bad/five-errors.yml', import.meta.url), 'utf8');

  test('prints every problem with file:line:column and a count, and exits 1', () => {
    const { output, exitCode } = validateRunbook(broken, 'runbook.yml', 'text');
    expect(exitCode).toBe(1);
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe(
      'runbook.yml:9:5: severities.p0.respond-within: "15 minutes" is not a duration; write it like 90s, 15m, 4h or 3d',
    );
    expect(lines.at(-1)).toBe('7 problems in runbook.yml');
  });

  test('--format github prints one escaped annotation per problem', () => {
    const { output } = validateRunbook(broken, 'ops/run,book.yml', 'github');
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe(
      '::error file=ops/run%2Cbook.yml,line=11,col=3,title=commands.help::"/help" is a built-in command and cannot be redefined; choose another name (for example "help-host")',
    );
  });

  test('a valid runbook says so and exits 0', () => {
    expect(validateRunbook(STANDIN_RUNBOOK, 'demo.yml', 'text')).toEqual({
      output: `demo.yml: valid (${Object.keys(runbook.commands).length} commands)\n`,
      exitCode: 0,
    });
  });
});

describe('plan', () => {
  test('shows the rendered steps, the target and who may run it', () => {
    const planned = plan('/logs --lines 20');
    if (!planned.ok) throw new Error(planned.message);
    expect(planned.text).toContain('### `/logs` would run this plan');
    expect(planned.text).toContain('Target: `deploy@kb-vm.test:22` (default)');
    expect(planned.text).toContain('20');
    // The permission input's floor (write) applies on top of the command's own triage.
    expect(planned.text).toContain('Who may run it: **write** access or more.');
  });

  test('a destructive command says it waits for a confirmation; --as says whether a role may run it', () => {
    const planned = plan('rollback v1.1.0', 'triage');
    if (!planned.ok) throw new Error(planned.message);
    expect(planned.text).toContain('is destructive: it runs only after a confirmation');
    expect(planned.text).toContain('⚠️ destructive');
    expect(planned.text).toContain('A person with **triage** access may **not** run it: it needs **write**.');
    const maintainer = plan('rollback v1.1.0', 'maintain');
    expect(maintainer.ok && maintainer.text).toContain('A person with **maintain** access may run it.');
  });

  test('a value the argument rule refuses is refused here as on the issue; nothing is planned', () => {
    const planned = plan("/rollback 'v1;reboot'");
    expect(planned.ok).toBe(false);
    expect(!planned.ok && planned.message).toMatch(/tag/);
  });

  test('a lifecycle command or an unknown one has no plan, and a typo gets a suggestion', () => {
    expect(plan('/ack')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not a runbook command'),
    });
    expect(plan('/restrat')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Did you mean /restart?'),
    });
  });
});

describe('run (break glass)', () => {
  let host: FakeHost;
  let journal: string;
  let answers: string[];
  let printed: string;
  let ports: SessionPorts;
  let clock: number;

  beforeEach(() => {
    host = new FakeHost();
    journal = '';
    answers = [];
    printed = '';
    clock = Date.parse('2026-12-02T03:10:00Z');
    ports = {
      executor: host.createExecutor,
      ask: async (question) => {
        printed += question;
        return answers.shift() ?? '';
      },
      append: (ndjson) => {
        journal += ndjson;
      },
      print: (text) => {
        printed += text;
      },
      now: () => new Date((clock += 1000)),
    };
  });

  const session = async (line: string, last?: JournalEntry) => {
    const planned = plan(line);
    if (!planned.ok) throw new Error(planned.message);
    return runSession({ planned, login: 'alice', runbookSource: 'demo.yml', last }, ports);
  };

  test('runs the steps, prints each, and journals the session, the command, each step and the result', async () => {
    host.respond = (script) =>
      script.includes('kbctl restart') ? { output: 'pid before: 1\npid after: 2\n' } : {};
    const result = await session('/restart');
    expect(result.status).toBe('success');
    expect(printed).toMatch(/\[1\/2\] Restart application … ok \(exit 0\)/);
    expect(printed).toContain('    pid after: 2');
    const checked = checkJournal(journal);
    if (!checked.ok) throw new Error(checked.message);
    expect(checked.entries.map((e) => e.kind)).toEqual(['session', 'command', 'step', 'step', 'result']);
    expect(checked.entries[2]).toMatchObject({
      step: 'Restart application',
      exitCode: 0,
      output: 'pid before: 1\npid after: 2\n',
      by: 'alice',
    });
  });

  test('a destructive command runs only when its name is typed; anything else declines and nothing runs', async () => {
    answers = ['yes'];
    const declined = await session('/rollback v1.1.0');
    expect(declined.status).toBe('declined');
    expect(host.runs).toEqual([]);
    expect(printed).toContain('Type its name (rollback)');
    answers = ['rollback'];
    const ran = await session('/rollback v1.1.0', declined.entries.at(-1));
    expect(ran.status).toBe('success');
    expect(host.runs.length).toBeGreaterThan(0);
    const checked = checkJournal(journal);
    expect(host.runs).toHaveLength(4); // three steps and the check
    expect(checked.ok && checked.entries.map((e) => e.kind)).toEqual([
      'session',
      'command',
      'declined',
      'command',
      'confirmed',
      'step',
      'step',
      'step',
      'step',
      'result',
    ]);
  });

  test('a failed step stops the command where the action would, with its exit code in the journal', async () => {
    host.respond = (script) =>
      script.includes('kbctl restart') ? { outcome: 'failed', exitCode: 3, output: 'spawn error\n' } : {};
    const result = await session('/restart');
    expect(result).toMatchObject({ status: 'failure', exitCode: 3 });
    expect(host.ran('/health')).toEqual([]);
    expect(result.entries.at(-1)).toMatchObject({ kind: 'result', status: 'failure', exitCode: 3 });
  });
});

describe('replay', () => {
  const journalOf = async (count: number) => {
    const host = new FakeHost();
    host.respond = () => ({ output: 'x'.repeat(3000) });
    let text = '';
    let last: JournalEntry | undefined;
    for (let i = 0; i < count; i += 1) {
      const planned = plan('/restart');
      if (!planned.ok) throw new Error(planned.message);
      const result = await runSession(
        { planned, login: 'alice', runbookSource: 'demo.yml', last },
        {
          executor: host.createExecutor,
          ask: async () => '',
          append: (t) => (text += t),
          print: () => {},
          now: () => new Date('2026-12-02T03:10:00Z'),
        },
      );
      last = result.entries.at(-1);
    }
    return text;
  };

  test('posts the entries the action has not recorded, in comments that fit GitHub; only its records count', async () => {
    const text = await journalOf(20);
    const BOT = 'github-actions[bot]';
    const first = planReplay(text, [], BOT);
    if (!first.ok) throw new Error(first.message);
    expect(first.total).toBe(1 + 20 * 4);
    expect(first.comments).toHaveLength(Math.ceil(81 / 20));
    for (const body of first.comments) {
      expect(body.length).toBeLessThan(65_536);
      expect(body.startsWith('/journal\n')).toBe(true);
    }
    // The action's record of the first comment's entries (as its reply ends).
    const hashes = [...(first.comments[0] ?? '').matchAll(/"hash":"([0-9a-f]{64})"/g)].map((m) => m[1]);
    const reply = `📓 recorded\n\n<!-- incident-issueops ${JSON.stringify({ v: 1, kind: 'offline', entries: hashes.map((hash) => ({ hash })) })} -->`;
    const partly = planReplay(text, [{ author: BOT, body: reply }], BOT);
    expect(partly).toMatchObject({ ok: true, alreadyThere: 20 });
    expect(partly.ok && partly.comments).toHaveLength(first.comments.length - 1);
    // A /journal comment with no answer yet, someone else's copy, or a record by another login
    // counts for nothing: the replay posts those entries (the action refuses a duplicate).
    for (const author of ['alice', 'mallory']) {
      expect(
        planReplay(
          text,
          first.comments.map((body) => ({ author, body })),
          BOT,
        ),
      ).toMatchObject({ alreadyThere: 0 });
    }
    expect(planReplay(text, [{ author: 'mallory', body: reply }], BOT)).toMatchObject({ alreadyThere: 0 });
  });

  test('a broken chain posts nothing', async () => {
    const text = (await journalOf(1)).replace('"exitCode":0', '"exitCode":7');
    expect(planReplay(text, [], 'github-actions[bot]')).toMatchObject({
      ok: false,
      message: expect.stringContaining('the journal is refused'),
    });
  });
});
