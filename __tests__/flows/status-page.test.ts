// The public status page, in process: `/status-page <state> <text>` publishes only what was
// marked public to a branch GitHub Pages serves, through the contents API (validated against
// GitHub's OpenAPI description by the emulator); concurrent writers lose nothing; a page the
// action may not write says what to fix; the postmortem lists what the public was told.
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { startInProcessWorkspace, type FakeHost } from '../../harness/in-process.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';
import { publicText, statusDocumentSchema } from '../../src/report/status-page.ts';
import { healthyHost } from '../cases/lifecycle.ts';

const RUNBOOK = `${STANDIN_RUNBOOK}
status-page:
  title: Slack KB Agent status
`;
const T0 = new Date('2026-11-26T03:00:00Z');
let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let host: FakeHost;
const at = (minutes: number) => (clock = new Date(T0.getTime() + minutes * 60_000));

async function start(runbook = RUNBOOK) {
  ({ emulator, scenario, host } = await startInProcessWorkspace({
    runbook,
    roles: { alice: 'write', dana: 'write', tom: 'triage' },
    clock: () => clock,
    inputs: { permission: 'triage' },
  }));
  host.respond = healthyHost;
  // The branch GitHub Pages serves, and a workflow that may write to it.
  emulator.putFile('.nojekyll', '', { ref: 'gh-pages' });
  emulator.repo().setContentsPermission('write');
}

beforeEach(async () => {
  clock = T0;
  await start();
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

const page = () => emulator.repo().file('status/index.md', 'gh-pages') ?? '';
const document = () =>
  statusDocumentSchema.parse(JSON.parse(emulator.repo().file('status/status.json', 'gh-pages') ?? '{}'));
const lastReply = (issue: number) => scenario.actionComments(issue).at(-1) ?? '';

async function declare(title = 'KB agent down: INTERNAL db password rotation broke it'): Promise<number> {
  const issue = scenario.openIssue(title, 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
  return issue;
}

test('only what was marked public reaches the page, newest first, each update a commit', async () => {
  const issue = await declare();
  at(2);
  await scenario.comment(issue, 'alice', '/update INTERNAL: the rotation job wrote an empty password');
  at(5);
  const first = await scenario.comment(
    issue,
    'alice',
    '/status-page investigating Some answers are slow or missing.',
  );
  expect(first.run.outputs).toMatchObject({ status: 'success', reason: 'status-page' });
  expect(lastReply(issue)).toBe(
    `🌐 **Public status: investigating** (by @alice), published to [the status page](https://github.com/${emulator.repo().fullName}/blob/gh-pages/status/index.md): \`Some answers are slow or missing.\``.concat(
      lastReply(issue).slice(lastReply(issue).indexOf('\n')),
    ),
  );
  at(20);
  await scenario.comment(
    issue,
    'dana',
    '/status-page identified A configuration change; we are reverting it.',
  );
  expect(document()).toEqual({
    version: 1,
    title: 'Slack KB Agent status',
    updatedAt: '2026-11-26T03:20:00.000Z',
    incidents: [
      {
        id: issue,
        startedAt: '2026-11-26T03:00:00.000Z',
        state: 'identified',
        updates: [
          {
            at: '2026-11-26T03:05:00.000Z',
            state: 'investigating',
            text: 'Some answers are slow or missing.',
          },
          {
            at: '2026-11-26T03:20:00.000Z',
            state: 'identified',
            text: 'A configuration change; we are reverting it.',
          },
        ],
      },
    ],
  });
  expect(page()).toBe(`# Slack KB Agent status

**An incident is under way.**

Updated 2026-11-26 03:20 UTC.

## 🟠 Identified: incident of 2026-11-26 03:00 UTC

- **2026-11-26 03:20 UTC, Identified:** A configuration change; we are reverting it\\.
- **2026-11-26 03:05 UTC, Investigating:** Some answers are slow or missing\\.
`);
  // Nothing internal: not the title, not a status update, not a login.
  const published = page() + JSON.stringify(document());
  for (const internal of ['INTERNAL', 'password', '@alice', 'dana', 'KB agent down'])
    expect(published).not.toContain(internal);
  expect(
    emulator
      .repo()
      .commits()
      .map((commit) => `${commit.ref} ${commit.path} ${commit.message}`),
  ).toEqual([
    `gh-pages status/status.json Status page: incident #${issue} investigating`,
    `gh-pages status/index.md Status page: incident #${issue} investigating`,
    `gh-pages status/status.json Status page: incident #${issue} identified`,
    `gh-pages status/index.md Status page: incident #${issue} identified`,
  ]);

  at(40);
  await scenario.comment(issue, 'dana', '/status-page resolved Answers are back to normal.');
  expect(page()).toContain('**All systems operational.**');
  at(41);
  await scenario.comment(issue, 'dana', '/resolve --force');
  const postmortem = scenario.actionComments(issue).find((body) => body.startsWith('# Postmortem')) ?? '';
  expect(postmortem).toContain('### Public status updates');
  expect(postmortem).toMatch(/\| investigating \| @alice \| `Some answers are slow or missing\.` \| yes \|/);
  expect(postmortem).toMatch(/\| resolved \| @dana \| `Answers are back to normal\.` \| yes \|/);
  expect(postmortem).not.toContain('The status page still says');
});

test('hostile text is shown literally on the page: no HTML, no link, no Markdown', async () => {
  const issue = await declare();
  await scenario.comment(
    issue,
    'alice',
    '/status-page investigating # head *bold* _it_ | pipe @everyone 1. item',
  );
  const line =
    page()
      .split('\n')
      .find((text) => text.startsWith('- **')) ?? '';
  expect(line).toContain('\\# head bold it \\| pipe @everyone 1\\. item');
  // Emphasis is read as the comment renders it (plain words); what a comment cannot carry at
  // all (HTML, links, struck text) the renderer escapes all the same.
  expect(publicText('<script>alert(1)</script> [x](https://evil.example) &amp;')).toBe(
    '&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\[x\\]\\(https\\://evil\\.example\\) &amp;amp;',
  );
  // Liquid, which GitHub Pages runs first, gets nothing it could read as a tag or an output.
  expect(publicText('50% {% raw %} {{ site.github.token }}')).toBe(
    '50&#37; &#123;&#37; raw &#37;&#125; &#123;&#123; site\\.github\\.token &#125;&#125;',
  );
});

test('two incidents share the page; a write that loses a race (409) reads again and keeps both', async () => {
  const one = await declare('first');
  const two = await declare('second');
  await scenario.comment(one, 'alice', '/status-page investigating Search is slow.');
  at(3);
  emulator.inject({
    operationId: 'repos/create-or-update-file-contents',
    kind: 'status',
    status: 409,
    times: 1,
  });
  const raced = await scenario.comment(two, 'alice', '/status-page investigating Uploads fail.');
  expect(raced.run.outputs).toMatchObject({ status: 'success' });
  expect(document().incidents.map((incident) => [incident.id, incident.updates.map((u) => u.text)])).toEqual([
    [two, ['Uploads fail.']],
    [one, ['Search is slow.']],
  ]);
  expect(page()).toContain('**2 incidents are under way.**');
});

test('a workflow without contents: write records the update, says what to fix, and the postmortem shows it unpublished', async () => {
  emulator.repo().setContentsPermission('read');
  const issue = await declare();
  const run = await scenario.comment(issue, 'alice', '/status-page investigating Slow answers.');
  expect(run.run.outputs).toMatchObject({ status: 'success', reason: 'status-page' });
  expect(lastReply(issue)).toContain(
    "⚠️ **Public status investigating recorded, not published** (`the workflow's token may not write to the repository: give the job permissions: contents: write`)",
  );
  expect(emulator.repo().file('status/index.md', 'gh-pages')).toBeUndefined();
  // Fixed: the next update publishes every update so far.
  emulator.repo().setContentsPermission('write');
  at(5);
  await scenario.comment(issue, 'alice', '/status-page identified Found it.');
  expect(document().incidents[0]?.updates.map((update) => update.text)).toEqual([
    'Slow answers.',
    'Found it.',
  ]);
  at(9);
  await scenario.comment(issue, 'alice', '/resolve --force');
  const postmortem = scenario.actionComments(issue).find((body) => body.startsWith('# Postmortem')) ?? '';
  expect(postmortem).toMatch(/\| investigating \| @alice \| `Slow answers\.` \| ⚠️ no \|/);
  expect(postmortem).toContain(
    '⚠️ The status page still says **identified**: post `/status-page resolved <text>`.',
  );
});

test('no branch, a page the action did not write, no section, a triager: each refused with what to do', async () => {
  const issue = await declare();
  emulator.putFile('status/status.json', '{"hand": "made"}', { ref: 'gh-pages' });
  await scenario.comment(issue, 'alice', '/status-page investigating Slow.');
  expect(lastReply(issue)).toContain(
    'status/status.json on gh-pages is not a status document this action wrote: fix it or delete it',
  );
  expect(emulator.repo().file('status/status.json', 'gh-pages')).toBe('{"hand": "made"}');

  const triager = await scenario.comment(issue, 'tom', '/status-page investigating Slow.');
  expect(triager.run.outputs).toMatchObject({ status: 'refused', reason: 'permission' });

  await scenario.comment(issue, 'alice', '/status-page fixed Slow.');
  expect(lastReply(issue)).toContain(
    'state must be one of `investigating`, `identified`, `monitoring`, `resolved`, not `fixed`',
  );

  await emulator.close();
  await start(RUNBOOK.replace('title: Slack KB Agent status', 'title: X\n  branch: pages'));
  const other = await declare();
  await scenario.comment(other, 'alice', '/status-page investigating Slow.');
  expect(lastReply(other)).toContain(
    'the branch pages does not exist: create it (the one GitHub Pages serves)',
  );

  await emulator.close();
  await start(STANDIN_RUNBOOK);
  const none = await declare();
  await scenario.comment(none, 'alice', '/status-page investigating Slow.');
  expect(lastReply(none)).toContain('This runbook has no `status-page:` section');
});
