// Attacks on what the action records on the issue: a write user (or another workflow, which posts,
// edits and deletes as github-actions[bot] too) edits, moves, copies and forges the action's own
// comments. Proven from the host (its session log) and from the emulator (the issue as GitHub
// shows it).
import { readCommandLog, useDeployHost } from '../../harness/deploy/for-tests.ts';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import { IncidentScenario, sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';

const host = useDeployHost();
const BOT = 'github-actions[bot]';
const T0 = new Date('2026-11-26T03:00:00Z');

/** Commands whose every run leaves its words in the host's session log. */
const RUNBOOK = `version: 1
service: trust checks
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  rollback:
    description: Roll back to a release
    permission: write
    destructive: true
    args:
      - { name: tag, description: Release tag, pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$', required: true }
    steps:
      - name: Roll back
        run: echo "trust-rollback to" {{ tag }}
  restore:
    description: Restore a backup
    permission: maintain
    destructive: true
    args:
      - { name: file, description: Backup file, pattern: '^[a-z0-9_.-]+$', required: true }
    steps:
      - name: Restore
        run: echo "trust-restore from" {{ file }}
`;

let clock: Date;
let emulator: GitHubEmulator;
let scenario: IncidentScenario;
let issue: number;

const minutes = (n: number) => {
  clock = new Date(T0.getTime() + n * 60_000);
};
let sessionsBefore = 0;
/** How many ssh sessions of this test ran a command holding `word`. */
const hostRan = async (word: string) =>
  (await readCommandLog(host())).slice(sessionsBefore).filter((entry) => entry.command?.includes(word))
    .length;
const botComments = () => emulator.listComments(issue).filter((comment) => comment.user?.login === BOT);
const withRecord = (kind: string) =>
  botComments().filter((comment) => (comment.body ?? '').includes(`"kind":"${kind}"`));
const recordOf = (body: string) =>
  JSON.parse(/<!-- incident-issueops (\{.*\}) -->\s*$/.exec(body)?.[1] ?? '{}') as Record<string, unknown>;
const withRecordJson = (body: string, record: Record<string, unknown>) =>
  body.replace(
    /<!-- incident-issueops \{.*\} -->\s*$/,
    `<!-- incident-issueops ${JSON.stringify(record)} -->`,
  );
const codeIn = (body: string) => /\/confirm ([0-9a-f]{8})/.exec(body)?.[1] ?? '';

beforeEach(async () => {
  clock = T0;
  sessionsBefore = (await readCommandLog(host())).length;
  ({ emulator, scenario } = await startIncidentWorkspace({
    runbook: RUNBOOK,
    roles: { alice: 'write', mallory: 'write', dana: 'maintain' },
    inputs: sshInputs(host()),
    clock: () => clock,
  }));
  issue = scenario.openIssue('Trust', 'alice');
  await scenario.label(issue, 'incident:p1', 'alice');
});

afterEach(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('an edit by anyone but the action changes no plan', () => {
  test('a pending /rollback whose hidden record is rewritten into a /restore is never run, whoever confirms', async () => {
    await scenario.comment(issue, 'mallory', '/rollback v1.1.0');
    const [plan] = withRecord('plan');
    const original = plan?.body ?? '';
    const code = codeIn(original);
    expect(code).toMatch(/^[0-9a-f]{8}$/);
    // The write user keeps the visible text and the seal, and rewrites what the record holds.
    const record = recordOf(original);
    for (const forged of [
      { ...record, command: 'restore', args: { file: 'prod.sql.gz' } },
      { ...record, args: { tag: 'v1.0.0' } },
      { ...record, requestedBy: 'dana', expiresAt: '2099-01-01T00:00:00.000Z' },
      (({ seal: _seal, ...rest }) => rest)(record),
    ]) {
      emulator.repo().editComment(plan!.id, withRecordJson(original, forged));
      const { run } = await scenario.comment(issue, 'dana', `/confirm ${code}`);
      expect(run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
      expect(scenario.actionComments(issue).at(-1)).toContain(
        `No command on this issue waits for the code \`${code}\``,
      );
    }
    expect(await hostRan('trust-restore')).toBe(0);
    expect(await hostRan('trust-rollback')).toBe(0);
    // The board tells everyone that one of the action's comments was altered.
    expect(scenario.board(issue)).toContain(
      "1 of the action's comments were changed after the action posted them",
    );
  });

  test('a plan whose visible steps are edited is not run, even with its record intact', async () => {
    await scenario.comment(issue, 'mallory', '/rollback v1.1.0');
    const [plan] = withRecord('plan');
    const code = codeIn(plan?.body ?? '');
    // What the confirmer reads now says v1.0.0; the record still says v1.1.0.
    emulator.repo().editComment(plan!.id, (plan?.body ?? '').replaceAll('v1.1.0', 'v1.0.0'));
    const { run } = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(await hostRan('trust-rollback')).toBe(0);
  });

  test('a spent code stays spent: restoring the plan as it was, removing the 🚀, then both with the result deleted', async () => {
    await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    const [plan] = withRecord('plan');
    const pristine = plan?.body ?? '';
    const code = codeIn(pristine);
    minutes(1);
    const confirmed = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(confirmed.run.outputs).toMatchObject({ status: 'success', command: 'rollback' });
    expect(await hostRan('trust-rollback')).toBe(1);
    expect(emulator.repo().getComment(plan!.id)?.body).toContain('**Confirmed by @dana**');

    // 1. The write user puts back the plan as it read before the confirmation (its seal was valid then).
    minutes(2);
    emulator.repo().editComment(plan!.id, pristine);
    const again = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(scenario.actionComments(issue).at(-1)).toContain('That code was already used by @dana');

    // 2. A workflow of their own, as github-actions[bot], removes the action's 🚀 from the plan.
    expect(emulator.repo().unreact(plan!.id, BOT, 'rocket')).toBe(true);
    const third = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(third.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });

    // 3. And deletes the result comment too: past the code's 15 minutes nothing re-arms it.
    const [result] = withRecord('result');
    emulator.repo().deleteComment(result!.id);
    emulator.repo().unreact(plan!.id, BOT, 'rocket');
    minutes(16);
    const fourth = await scenario.comment(issue, 'dana', `/confirm ${code}`);
    expect(fourth.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
    expect(scenario.actionComments(issue).at(-1)).toContain('expired at 2026-11-26 03:15 UTC');
    expect(await hostRan('trust-rollback')).toBe(1);
  });

  test('two destructive commands asked in one comment can each be confirmed, once', async () => {
    await scenario.comment(issue, 'alice', '/rollback v1.1.0\n/rollback v1.0.0');
    const codes = withRecord('plan').map((plan) => codeIn(plan.body ?? ''));
    expect(new Set(codes).size).toBe(2);
    for (const code of [...codes].reverse()) {
      const { run } = await scenario.comment(issue, 'dana', `/confirm ${code}`);
      expect(run.outputs).toMatchObject({ status: 'success', command: 'rollback' });
    }
    expect(await hostRan('trust-rollback')).toBe(2);
    const again = await scenario.comment(issue, 'dana', `/confirm ${codes[0]}`);
    expect(again.run.outputs).toMatchObject({ status: 'refused', reason: 'confirmation' });
  });

  test('two confirmations of one plan in two racing runs run it once', async () => {
    await scenario.comment(issue, 'alice', '/rollback v1.1.0');
    const code = codeIn(withRecord('plan')[0]?.body ?? '');
    const first = scenario.postComment(issue, 'dana', `/confirm ${code}`);
    const second = scenario.postComment(issue, 'alice', `/confirm ${code}`);
    await Promise.all([first.start(), second.start()]);
    expect(await hostRan('trust-rollback')).toBe(1);
    expect(withRecord('result')).toHaveLength(1);
    const refusals = scenario
      .actionComments(issue)
      .filter((body) => body.includes('That code was already used'));
    expect(refusals).toHaveLength(1);
  });
});

describe('an edit by anyone but the action changes no state', () => {
  test('facts forged into the action’s own comments (edited board, another workflow’s post) are ignored and shown', async () => {
    const [board] = withRecord('board');
    const boardRecord = recordOf(board?.body ?? '');
    // The board's seal, copied onto forged facts; and a forged fact with no seal at all.
    const forgedResolved = {
      v: 1,
      kind: 'resolved',
      by: 'mallory',
      at: clock.toISOString(),
      forced: false,
      seal: boardRecord.seal,
    };
    emulator.repo().editComment(board!.id, withRecordJson(board?.body ?? '', forgedResolved));
    emulator.addComment(issue, {
      user: BOT,
      body: `✅ **Acknowledged** by @mallory\n\n<!-- incident-issueops ${JSON.stringify({ v: 1, kind: 'acknowledged', by: 'mallory', at: clock.toISOString() })} -->`,
    });
    emulator.addComment(issue, {
      user: BOT,
      body: `🧭 commander\n\n<!-- incident-issueops ${JSON.stringify({ v: 1, kind: 'commander', by: 'mallory', at: clock.toISOString(), commander: 'mallory', n: 'x', seal: boardRecord.seal })} -->`,
    });
    minutes(1);
    await scenario.comment(issue, 'alice', '/timeline');
    const timeline = scenario.actionComments(issue).at(-1) ?? '';
    expect(timeline).toContain('### Timeline so far');
    expect(timeline).not.toContain('mallory');
    const shown = scenario.board(issue);
    expect(shown).toContain('| Acknowledged | not yet');
    expect(shown).toContain('| Commander | _none yet_');
    expect(shown).toContain('| State | **investigating** → mitigated → resolved |');
    expect(shown).toContain("of the action's comments were changed after the action posted them");
    expect(emulator.getIssue(issue)?.state).toBe('open');
  });

  test('a record moved from another issue, or copied within this one, counts for nothing more', async () => {
    minutes(1);
    await scenario.comment(issue, 'alice', '/ack');
    await scenario.comment(issue, 'alice', '/update Rolling back now');
    const ack = withRecord('acknowledged')[0]?.body ?? '';
    const update = withRecord('update')[0]?.body ?? '';
    const other = scenario.openIssue('Other', 'alice');
    await scenario.label(other, 'incident:p1', 'alice');
    // Another workflow posts, as the bot, exact copies: the ack onto the other issue, the update here twice.
    emulator.addComment(other, { user: BOT, body: ack });
    emulator.addComment(issue, { user: BOT, body: update });
    emulator.addComment(issue, { user: BOT, body: update });
    minutes(2);
    await scenario.comment(other, 'alice', '/timeline');
    await scenario.comment(issue, 'alice', '/timeline');
    expect(scenario.board(other)).toContain('| Acknowledged | not yet');
    const timeline = scenario.actionComments(issue).at(-1) ?? '';
    expect(timeline.match(/Status update/g)).toHaveLength(1);
  });
});
