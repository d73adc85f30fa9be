// Paging, in process: the declaration mentions the runbook's contacts for its severity at once (a
// new comment, so GitHub notifies them), a raise pages the new severity's, `/page <role>` pages
// anyone the runbook names, and every page is on the board and the timeline. What a responder
// types never mentions anyone.
import { notification } from '../../harness/alertmanager/notification.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';

const CONTACTS = `
contacts:
  on-call:
    name: On-call Engineer
    mention: [oncall-amy, acme/sre-oncall]
    availability: 24/7
    page: [p0, p1]
  commander:
    name: Incident Commander
    mention: ['@ic-ivan']
    availability: business hours
    page: [p0]
  dba: { name: Database Administrator, mention: [acme/dba], availability: on-call rotation }
  security: { name: Security Team, availability: 24/7 }
`;

const T0 = new Date('2026-11-26T03:00:00Z');
let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
const at = (minutes: number) => (clock = new Date(T0.getTime() + minutes * 60_000));

async function start(runbook = STANDIN_RUNBOOK + CONTACTS, inputs: Record<string, string> = {}) {
  ({ emulator, scenario } = await startInProcessWorkspace({
    runbook,
    roles: { alice: 'write', dana: 'write', mallory: 'read' },
    inputs,
    clock: () => clock,
  }));
}

beforeEach(async () => {
  clock = T0;
  await start();
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const pages = (issue: number) => scenario.actionComments(issue).filter((body) => body.startsWith('📟'));
const boardRow = (issue: number, name: string) =>
  scenario
    .board(issue)
    .split('\n')
    .find((line) => line.startsWith(`| ${name} |`));
const lastReply = (issue: number) => scenario.actionComments(issue).at(-1) ?? '';

test('a P0 declaration pages its roles at once, one comment each, and the board names them without mentioning', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  const run = await scenario.label(issue, 'incident:p0', 'alice');
  expect(run.outputs).toMatchObject({ status: 'success', reason: 'declared' });
  expect(pages(issue)).toEqual([
    expect.stringMatching(
      /^📟 \*\*Paging On-call Engineer\*\* \(24\/7\): @oncall-amy @acme\/sre-oncall, a P0 incident was declared by @alice\.\n\nTake it with `\/ack` by 2026-11-26 03:05 UTC/,
    ),
    expect.stringMatching(
      /^📟 \*\*Paging Incident Commander\*\* \(business hours\): @ic-ivan, a P0 incident/,
    ),
  ]);
  // The board is the first comment; the pages follow it.
  expect(emulator.listComments(issue)[0]?.body).toContain('## 🔍 P0');
  expect(boardRow(issue, 'Paged')).toBe(
    '| Paged | On-call Engineer 03:00 UTC (at declaration) · Incident Commander 03:00 UTC (at declaration) |',
  );
  expect(scenario.board(issue)).not.toContain('@oncall-amy');

  // The same label event again (a re-run) pages no one twice.
  await scenario.label(issue, 'incident:p0', 'alice');
  expect(pages(issue)).toHaveLength(2);

  const timeline = await scenario.comment(issue, 'alice', '/timeline');
  expect(timeline.run.outputs.status).toBe('success');
  expect(lastReply(issue)).toContain(
    'Paged at declaration: On-call Engineer (@oncall-amy, @acme/sre-oncall)',
  );
});

test('a P2 pages no one; raising it by label or by /severity pages the new severity’s roles, once', async () => {
  const issue = scenario.openIssue('Slow answers', 'alice');
  await scenario.label(issue, 'incident:p2', 'alice');
  expect(pages(issue)).toEqual([]);
  expect(boardRow(issue, 'Paged')).toBeUndefined();

  at(10);
  const raised = await scenario.comment(issue, 'dana', '/severity p1');
  expect(raised.run.outputs).toMatchObject({ status: 'success', reason: 'severity' });
  expect(pages(issue)).toEqual([
    expect.stringMatching(/^📟 \*\*Paging On-call Engineer\*\*.*this incident was raised to P1 by @dana/),
  ]);

  at(20);
  // A person relabels to P0: the commander role is paged; the on-call engineer already was.
  await scenario.label(issue, 'incident:p0', 'alice');
  expect(pages(issue)).toHaveLength(2);
  expect(pages(issue)[1]).toMatch(
    /^📟 \*\*Paging Incident Commander\*\*.*this incident was raised to P0 by @alice/,
  );
  // Lowering it pages no one.
  at(30);
  await scenario.comment(issue, 'dana', '/severity p2');
  expect(pages(issue)).toHaveLength(2);
});

test('/page <role> [note] mentions the role, with the note as text; the same role again within 5 minutes is refused', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p2', 'alice');
  at(4);
  const paged = await scenario.comment(issue, 'alice', '/page dba replication lag @everyone **now**');
  expect(paged.run.outputs).toMatchObject({ status: 'success', reason: 'page' });
  const reply = lastReply(issue);
  expect(reply).toMatch(
    /^📟 \*\*@alice pages Database Administrator\*\* \(on-call rotation\): @acme\/dba, you are needed on this P2 incident\./,
  );
  // The note is a code span: no mention, no Markdown.
  expect(reply).toContain('> `replication lag @everyone now`');
  expect(boardRow(issue, 'Paged')).toBe('| Paged | Database Administrator 03:04 UTC by @alice |');
  expect(scenario.board(issue)).toContain('@alice');

  at(7);
  const again = await scenario.comment(issue, 'dana', '/page dba');
  expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'lifecycle' });
  expect(lastReply(issue)).toContain(
    'Database Administrator was paged 3 min ago (by @alice, 2026-11-26 03:04 UTC); page them again from 2026-11-26 03:09 UTC',
  );
  at(10);
  expect((await scenario.comment(issue, 'dana', '/page dba still lagging')).run.outputs.status).toBe(
    'success',
  );
  expect(pages(issue)).toHaveLength(2);
});

test('an unknown role, a role that names no one, and a reader are refused with what to do', async () => {
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p2', 'alice');
  await scenario.comment(issue, 'alice', '/page');
  expect(lastReply(issue)).toContain(
    "`/page` needs role (A role of the runbook's contacts, e.g. dba). Usage: `/page <role> [note]`",
  );
  await scenario.comment(issue, 'alice', '/page DBA;id');
  expect(lastReply(issue)).toContain('Usage: `/page <role> [note]`');
  await scenario.comment(issue, 'alice', '/page dbas');
  expect(lastReply(issue)).toContain(
    '`dbas` is not a contact of this runbook: page one of `on-call` (On-call Engineer), `commander` (Incident Commander), `dba` (Database Administrator), `security` (Security Team).',
  );
  await scenario.comment(issue, 'alice', '/page security');
  expect(lastReply(issue)).toContain(
    'The runbook names no one for Security Team: add `mention:` (GitHub users or org/team slugs) to `contacts.security` in the runbook file.',
  );
  const reader = await scenario.comment(issue, 'mallory', '/page dba');
  expect(reader.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });
  expect(pages(issue)).toEqual([]);
});

test('the built-in runbook names no one: a P0 pages the escalation input’s people at once', async () => {
  await emulator.close();
  await start(BUILTIN_RUNBOOK_YAML, { escalation: 'oncall-lead,acme/sre' });
  const issue = scenario.openIssue('KB agent down', 'alice');
  await scenario.label(issue, 'incident:p0', 'alice');
  expect(pages(issue)).toEqual([
    expect.stringMatching(
      /^📟 \*\*Paging On-call Engineer\*\* \(24\/7\): @oncall-lead @acme\/sre, a P0 incident was declared by @alice\./,
    ),
  ]);
  await scenario.comment(issue, 'alice', '/page on-call');
  expect(lastReply(issue)).toContain('The runbook names no one for On-call Engineer: add `mention:`');
  // P3 pages no one.
  const minor = scenario.openIssue('Typo on the help page', 'alice');
  await scenario.label(minor, 'incident:p3', 'alice');
  expect(pages(minor)).toEqual([]);
});

test('an incident Alertmanager opens pages its roles too, as declared by Alertmanager', async () => {
  await emulator.close();
  await start(
    BUILTIN_RUNBOOK_YAML.replace(
      'contacts:\n  on-call:\n',
      'contacts:\n  on-call:\n    mention: [oncall-amy]\n',
    ),
  );
  const run = await scenario.dispatch('alertmanager', {
    alertmanager: notification({
      alerts: [{ alertname: 'SlackKBAgentDown', annotations: { summary: 'Slack KB Agent is down' } }],
    }),
  });
  expect(run.outputs).toMatchObject({ reason: 'alert-opened' });
  const issue = emulator
    .listIssues()
    .find((candidate) => candidate.title.startsWith('SlackKBAgentDown'))!.number;
  expect(pages(issue)).toEqual([
    expect.stringMatching(
      /^📟 \*\*Paging On-call Engineer\*\* \(24\/7\): @oncall-amy, a P0 incident was declared by Alertmanager\./,
    ),
  ]);
  expect(boardRow(issue, 'Paged')).toContain('On-call Engineer');
});

test('a runbook whose contacts page an unknown severity, or mention something that is not a login, says what to fix', async () => {
  const { parseRunbook } = await import('../../src/config/runbook.ts');
  const bad = parseRunbook(
    `${STANDIN_RUNBOOK}\ncontacts:\n  on-call: { name: On-call, mention: ['alice; rm -rf /'], page: [p7] }\n`,
    'test',
  );
  expect(bad.ok).toBe(false);
  if (bad.ok) return;
  expect(bad.errors.join('\n')).toMatch(/contacts\.on-call\.mention\.0.*a GitHub login or org\/team-slug/);
  expect(bad.errors.join('\n')).toMatch(/contacts\.on-call\.page\.0.*"p7" is not a severity of this runbook/);
});
