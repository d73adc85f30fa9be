import { parseRunbook } from '../../src/config/runbook.ts';
import { loadIncident } from '../../src/flows/incident.ts';
import { createGitHubAdapter } from '../../src/github/octokit-adapter.ts';
import { createIssueWriter } from '../../src/flows/writer.ts';
import { composeBody } from '../../src/records/codec.ts';
import { createSealer } from '../../src/records/seal.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';
import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';

let emulator: GitHubEmulator;

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

test('the incident is rebuilt from 2,500 comments in 26 paginated requests', async () => {
  const start = new Date('2026-11-26T03:00:00Z');
  let clock = start;
  emulator = await startEmulator({ now: () => clock });
  const sealer = createSealer(
    'a test record secret of at least thirty-two characters',
    emulator.repo().fullName,
  );
  const issue = emulator.createIssue({ title: 'Long incident', user: 'alice' });
  emulator.repo().addLabels(issue.number, ['incident:p1'], 'alice');
  for (let index = 0; index < 2500; index += 1) {
    clock = new Date(start.getTime() + (index + 1) * 1000);
    const ownUpdate = index % 10 === 9;
    emulator.addComment(issue.number, {
      user: ownUpdate ? 'github-actions[bot]' : `responder${index % 7}`,
      body: ownUpdate
        ? composeBody(
            `📣 update ${index}`,
            { kind: 'update', by: `responder${index % 7}`, at: clock.toISOString(), text: `update ${index}` },
            { sealer, issueNumber: issue.number },
          )
        : `looking at shard ${index}`,
    });
  }
  const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const [owner = '', repo = ''] = emulator.repo().fullName.split('/');
  const github = createGitHubAdapter({
    token: 'ghs_scale',
    owner,
    repo,
    baseUrl: emulator.url,
    log: () => {},
  });
  const before = emulator.requests.length;

  const snapshot = await loadIncident(
    { number: issue.number, title: issue.title },
    {
      github,
      sealer,
      writer: createIssueWriter({ github, sealer, knownSecrets: [], runUrl: '', onOverflow: () => {} }),
      runbook: parsed.runbook,
      selfLogin: 'github-actions[bot]',
      labelPrefix: 'incident:',
      now: () => clock,
    },
  );

  const requests = emulator.requests.slice(before);
  expect(requests.filter((request) => request.operationId === 'issues/list-comments')).toHaveLength(25);
  expect(requests.filter((request) => request.operationId === 'issues/list-events')).toHaveLength(1);
  expect(requests).toHaveLength(26);
  expect(snapshot.incident.updates).toHaveLength(250);
  expect(snapshot.incident.updates.at(-1)?.text).toBe('update 2499');
  expect(snapshot.incident.severity).toBe('p1');
  expect(snapshot.incident.declaredAt?.toISOString()).toBe('2026-11-26T03:00:00.000Z');
});
