// Every body the action writes stays within GitHub's 65,536 characters (the emulator answers 422
// beyond, as GitHub does), however long the incident, and says where the rest is.
import { useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';
import { composeBody } from '../../src/records/codec.ts';
import { createSealer } from '../../src/records/seal.ts';

const host = useDeployHost();
const BOT = 'github-actions[bot]';
const LIMIT = 65_536;

const RUNBOOK = `version: 1
service: body checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  noop:
    description: Nothing
    steps:
      - name: Nothing
        run: 'true'
`;

let emulator: GitHubEmulator;
let scenario: IncidentScenario;

beforeEach(async () => {
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write' },
    inputs: sshInputs(host()),
  }));
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('a 600-update incident: /timeline, /postmortem and /resolve all post, within the limit, saying what was cut', async () => {
  const issue = scenario.openIssue('Long incident', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
  // The action sealed these in earlier runs, with the key its SSH key gives.
  const sealer = createSealer(host().privateKey, emulator.repo().fullName);
  const start = Date.now();
  for (let index = 0; index < 600; index += 1) {
    const text = `update ${index}: ${'the shard rebalance is still running '.repeat(50)}`.slice(0, 1900);
    emulator.addComment(issue, {
      user: BOT,
      body: composeBody(
        `📣 **Status update** from @alice`,
        { kind: 'update', by: 'alice', at: new Date(start + index * 1000).toISOString(), text },
        { sealer, issueNumber: issue },
      ),
    });
  }
  for (const command of ['/timeline', '/postmortem', '/resolve --force']) {
    const { run } = await scenario.comment(issue, 'alice', command);
    expect(run.outputs.status).toBe('success');
  }
  const own = emulator.listComments(issue).filter((comment) => comment.user?.login === BOT);
  for (const comment of own) expect((comment.body ?? '').length).toBeLessThanOrEqual(LIMIT);
  const timeline = own.find((comment) => (comment.body ?? '').startsWith('### Timeline so far'))?.body ?? '';
  expect(timeline).toContain("entries left out here to fit GitHub's comment limit");
  expect(timeline).toContain('update 0:');
  expect(timeline).toContain('update 599:');
  const postmortems = own.filter((comment) => (comment.body ?? '').includes('# Postmortem'));
  expect(postmortems).toHaveLength(2);
  expect(emulator.getIssue(issue)?.state).toBe('closed');
}, 300_000);
