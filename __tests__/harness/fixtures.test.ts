import { createRequire } from 'node:module';
import { startEmulator } from '../../harness/github/emulator.ts';
import {
  assertValidWebhook,
  issueCommentCreated,
  issueCommentEdited,
  issuesClosed,
  issuesLabeled,
  issuesReopened,
  issuesUnlabeled,
  matchEmulatorIssue,
  schedule,
} from '../../harness/github/fixtures.ts';

describe('webhook fixtures', () => {
  it('builds issues.labeled with the label on the issue, for the requested repository and sender', () => {
    const { eventName, payload } = issuesLabeled({
      label: { name: 'sev1', color: 'b60205' },
      issue: { number: 42, title: 'Checkout errors', labels: ['incident'], user: 'carol' },
      repository: { owner: 'acme', name: 'shop' },
      sender: 'alice',
    });

    expect(eventName).toBe('issues');
    expect(payload.action).toBe('labeled');
    expect(payload.label).toMatchObject({ name: 'sev1', color: 'b60205' });
    expect(payload.issue).toMatchObject({
      number: 42,
      title: 'Checkout errors',
      state: 'open',
      user: { login: 'carol' },
      html_url: 'https://github.com/acme/shop/issues/42',
    });
    expect(payload.issue.labels.map((label) => label.name)).toEqual(['incident', 'sev1']);
    expect(payload.sender.login).toBe('alice');
    expect(payload.repository).toMatchObject({
      full_name: 'acme/shop',
      name: 'shop',
      owner: { login: 'acme' },
    });
    expect(JSON.stringify(payload)).not.toContain('Codertocat');
    expect(payload).not.toHaveProperty('installation');
  });

  it('builds issues.unlabeled without the removed label', () => {
    const { payload } = issuesUnlabeled({ label: 'sev1', issue: { labels: ['incident', 'SEV1'] } });

    expect(payload.action).toBe('unlabeled');
    expect(payload.label?.name).toBe('sev1');
    expect(payload.issue.labels.map((label) => label.name)).toEqual(['incident']);
  });

  it('builds issues.closed and issues.reopened with consistent state fields', () => {
    const closed = issuesClosed({
      issue: { number: 3, updatedAt: '2025-02-01T00:00:00Z' },
      sender: 'bob',
    }).payload;
    const reopened = issuesReopened({ issue: { number: 3 } }).payload;

    expect(closed).toMatchObject({
      action: 'closed',
      issue: { state: 'closed', state_reason: 'completed', closed_at: '2025-02-01T00:00:00Z' },
      sender: { login: 'bob' },
    });
    expect(closed).not.toHaveProperty('label');
    expect(reopened).toMatchObject({
      action: 'reopened',
      issue: { state: 'open', state_reason: 'reopened', closed_at: null },
    });
  });

  it('builds issue_comment.created and .edited around the comment', () => {
    const created = issueCommentCreated({
      issue: { number: 7, labels: ['incident'] },
      comment: { id: 555, body: '/restart api', user: 'alice', authorAssociation: 'COLLABORATOR' },
    });
    const edited = issueCommentEdited({
      comment: { id: 555, body: '/restart api --force', user: 'alice' },
      previousBody: '/restart api',
      sender: 'alice',
    });

    expect(created.eventName).toBe('issue_comment');
    expect(created.payload.comment).toMatchObject({
      id: 555,
      body: '/restart api',
      user: { login: 'alice' },
      author_association: 'COLLABORATOR',
      html_url: 'https://github.com/octo-org/incidents/issues/7#issuecomment-555',
    });
    expect(created.payload.sender.login).toBe('alice');
    expect(created.payload.issue.number).toBe(7);
    expect(edited.payload).toMatchObject({ action: 'edited', changes: { body: { from: '/restart api' } } });
  });

  it('adds an installation only when asked, and deep-merges extra fields', () => {
    const { payload } = issueCommentCreated({
      comment: { body: 'hi' },
      installation: { id: 99 },
      extra: { issue: { locked: true } },
    });

    expect(payload).toMatchObject({ installation: { id: 99 }, issue: { locked: true, number: 1 } });
  });

  it('rejects an override that breaks GitHub’s schema, saying what is wrong', () => {
    expect(() => issuesLabeled({ label: 'x', issue: { state: 'merged' as 'open' } })).toThrow(
      /issues\.labeled does not match GitHub's schema webhook-issues-labeled[\s\S]*\/issue\/state must be equal to one of the allowed values/,
    );
    expect(() => issueCommentCreated({ comment: { body: 'x' }, extra: { comment: { id: 'five' } } })).toThrow(
      '/comment/id must be integer',
    );
  });

  it('holds GitHub’s own first issue_comment example to the schema (it fails; later ones are used)', () => {
    const require = createRequire(import.meta.url);
    const groups = require('@octokit/webhooks-examples') as {
      name: string;
      examples: { action?: string }[];
    }[];
    const comments = groups.find((group) => group.name === 'issue_comment')?.examples ?? [];

    expect(() => assertValidWebhook('issue_comment.created', comments[0])).toThrow(/required property/);
    expect(() => assertValidWebhook('issue_comment.created', comments[1])).not.toThrow();
  });

  it('builds the schedule event in the current and the bare shape', () => {
    const full = schedule({ cron: '*/15 * * * *' });
    const bare = schedule({ cron: '0 9 * * 1-5', minimal: true });

    expect(full.eventName).toBe('schedule');
    expect(full.payload).toMatchObject({
      schedule: '*/15 * * * *',
      repository: { full_name: 'octo-org/incidents' },
      workflow: '.github/workflows/incident.yml',
    });
    expect(bare.payload).toEqual({ schedule: '0 9 * * 1-5' });
    expect(() => schedule({ cron: 'every 5 minutes' })).toThrow(/not a five-field cron expression/);
  });

  it('describes the same issue as the emulator holds', async () => {
    const emulator = await startEmulator({ now: () => new Date('2025-03-01T10:00:00Z') });
    try {
      const issue = emulator.createIssue({
        title: 'API down',
        body: 'p99 > 2s',
        labels: ['incident'],
        user: 'carol',
      });
      emulator.repo().createLabel('sev1', 'b60205');
      const { payload } = issuesLabeled({ ...matchEmulatorIssue(issue, emulator.repo().id), label: 'sev1' });

      expect(payload.issue).toMatchObject({
        id: issue.id,
        number: issue.number,
        title: 'API down',
        body: 'p99 > 2s',
        user: { login: 'carol', id: issue.user?.id },
        created_at: '2025-03-01T10:00:00Z',
      });
      expect(payload.issue.labels.map((label) => [label.name, label.id])).toEqual([
        ['incident', (issue.labels[0] as { id: number }).id],
        ['sev1', expect.any(Number)],
      ]);
      expect(payload.repository).toMatchObject({ id: emulator.repo().id, full_name: 'octo-org/incidents' });
      expect(emulator.violations).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
