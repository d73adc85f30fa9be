// What runs is exactly what GitHub shows: a command that renders invisibly (inside an HTML comment
// opened mid-paragraph, an attribute, an HTML block, a fence in a list item …) never runs, and a
// visible command that a line scanner would have missed does. Proven from the host's session log.
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();

const RUNBOOK = `version: 1
service: rendering checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  restart:
    description: Restart
    steps:
      - name: Restart
        run: echo invisible-restart
  diagnose:
    description: Diagnose
    args:
      - { name: scenario, description: What to look at, values: [app, db], required: true }
    steps:
      - name: Diagnose
        run: echo invisible-diagnose {{ scenario }}
`;

const HIDDEN: [string, string][] = [
  ['an HTML comment opened after an unbalanced backtick', 'Look at `this <!--\n/restart\n-->'],
  ['an HTML comment opened mid-line', 'notes <!-- hidden\n/restart\nstill hidden -->'],
  ['a multi-line alt attribute', '<img src="x.png" alt="diagram\n/restart\n">'],
  ['a <details with its > on the next line', '<details\n>\n/restart\n</details>'],
  [
    'a paragraph inside an open <details>',
    '<details><summary>old output</summary>\n\n/restart\n\n</details>',
  ],
  ['a <code> HTML block', '<code>\n/restart\n</code>'],
  ['a paragraph inside an open <div>', '<div>\n\n/restart\n\n</div>'],
  ['a fenced block in a list item', '- steps:\n  ```\n  /restart\n  ```'],
  ['a block quote with a lazy line', '> earlier output\n/restart'],
  ['an indented code block', '    /restart'],
  ['inline code spanning lines', 'run `this\n/restart\nnow` later'],
  ['a tilde fence inside a longer backtick fence', '````\n~~~\n/restart\n~~~\n````'],
];

const VISIBLE: [string, string][] = [
  ['after a fenced block holding a > line', '```\n> quoted in a fence\n```\n/restart'],
  ['after a closed HTML comment on its own line', '<!-- note -->\n\n/restart'],
  ['after a closed <details> block', '<details><summary>log</summary>\n\nold\n\n</details>\n\n/restart'],
];

let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;
let sessionsBefore = 0;
const ran = async () =>
  (await readCommandLog(host()))
    .slice(sessionsBefore)
    .filter((entry) => entry.command?.includes('invisible-')).length;

beforeAll(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write' },
    inputs: sshInputs(host()),
  }));
  issue = scenario.openIssue('Rendering', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
});

beforeEach(async () => {
  sessionsBefore = (await readCommandLog(host())).length;
});

afterAll(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test.each(HIDDEN)('a /restart in %s never runs and gets no reaction', async (_, body) => {
  const { commentId, run } = await scenario.comment(issue, 'alice', body);
  expect(run.outputs.status).toBe('ignored');
  expect(emulator.reactionsFor(commentId)).toEqual([]);
  expect(await ran()).toBe(0);
});

test.each(VISIBLE)('a /restart %s runs', async (_, body) => {
  const { commentId, run } = await scenario.comment(issue, 'alice', body);
  expect(run.outputs).toMatchObject({ status: 'success', command: 'restart' });
  expect(emulator.reactionsFor(commentId).map((reaction) => reaction.content)).toEqual(['eyes', '+1']);
  expect(await ran()).toBe(1);
});

test.each([
  ['U+2028 LINE SEPARATOR', '\u2028'],
  ['U+2029 PARAGRAPH SEPARATOR', '\u2029'],
  ['U+0085 NEL', '\u0085'],
  ['U+00A0 NO-BREAK SPACE', '\u00a0'],
])('/diagnose db followed by %s is refused by name, not ignored', async (name, char) => {
  const { run } = await scenario.comment(issue, 'alice', `/diagnose db${char}and more`);
  expect(run.outputs).toMatchObject({ status: 'refused', reason: 'invalid-command' });
  expect(scenario.actionComments(issue).at(-1)).toContain(name.split(' ')[0]);
  expect(await ran()).toBe(0);
});
