import { routeEvent } from '../../src/events/route.ts';

const options = { labelPrefix: 'incident:', selfLogin: 'github-actions[bot]' };
const user = (login: string, type = 'User') => ({ login, id: 1, type });
const issue = (labels: string[], state: 'open' | 'closed' = 'open', extra: Record<string, unknown> = {}) => ({
  number: 7,
  title: 'KB agent down',
  state,
  html_url: 'https://github.com/acme/kb/issues/7',
  user: user('alice'),
  labels: labels.map((name) => ({ name })),
  created_at: '2026-11-26T03:00:00Z',
  ...extra,
});
const repository = { name: 'kb', full_name: 'acme/kb', owner: { login: 'acme' } };
const comment = (body: string, author = user('alice')) => ({
  id: 99,
  body,
  html_url: 'https://github.com/acme/kb/issues/7#issuecomment-99',
  created_at: '2026-11-26T03:01:00Z',
  user: author,
});

describe('routeEvent', () => {
  test('an incident:pN label declares that severity', () => {
    const route = routeEvent(
      'issues',
      {
        action: 'labeled',
        issue: issue(['incident:p1']),
        label: { name: 'incident:P1' },
        sender: user('alice'),
        repository,
      },
      options,
    );
    expect(route).toMatchObject({ kind: 'declare', severity: 'p1' });
  });

  test('other labels and other issue actions are ignored with a reason', () => {
    expect(
      routeEvent(
        'issues',
        {
          action: 'labeled',
          issue: issue(['bug']),
          label: { name: 'bug' },
          sender: user('alice'),
          repository,
        },
        options,
      ),
    ).toEqual({
      kind: 'ignore',
      reason: 'label "bug" on issue #7 is not an incident:pN label',
    });
    expect(
      routeEvent(
        'issues',
        { action: 'opened', issue: issue([]), sender: user('alice'), repository },
        options,
      ),
    ).toMatchObject({ kind: 'ignore' });
    expect(routeEvent('push', {}, options)).toEqual({
      kind: 'ignore',
      reason: 'event "push" is not one this action handles',
    });
  });

  test('new comments on open incident issues are read; edits, bots, self, closed and plain issues are not', () => {
    const event = (overrides: Record<string, unknown>) => ({
      action: 'created',
      issue: issue(['incident:p0']),
      comment: comment('/health'),
      sender: user('alice'),
      repository,
      ...overrides,
    });
    expect(routeEvent('issue_comment', event({}), options).kind).toBe('comment');
    // On an open incident, events that ask for nothing still drive the queue (their run may have
    // replaced a command's pending run); an edit is handed over so that it can be answered.
    const edited = routeEvent('issue_comment', event({ action: 'edited' }), options);
    expect(edited).toMatchObject({ kind: 'queue', reason: expect.stringContaining('was edited') });
    expect(edited.kind === 'queue' && edited.trigger?.body).toBe('/health');
    const byBot = routeEvent(
      'issue_comment',
      event({ comment: comment('/health', user('dependabot[bot]', 'Bot')) }),
      options,
    );
    expect(byBot).toMatchObject({ kind: 'queue', reason: expect.stringContaining('bot') });
    expect(byBot.kind === 'queue' && byBot.trigger).toBe(undefined);
    expect(
      routeEvent(
        'issue_comment',
        event({ comment: comment('/health', user('github-actions[bot]', 'Bot')) }),
        options,
      ),
    ).toMatchObject({ kind: 'queue', reason: expect.stringContaining("action's own") });
    // Off an open incident they are ignored outright.
    expect(
      routeEvent('issue_comment', event({ action: 'edited', issue: issue(['bug']) }), options),
    ).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('was edited') });
    expect(
      routeEvent('issue_comment', event({ issue: issue(['incident:p0'], 'closed') }), options),
    ).toMatchObject({ reason: expect.stringContaining('closed') });
    expect(routeEvent('issue_comment', event({ issue: issue(['bug']) }), options)).toMatchObject({
      reason: expect.stringContaining('no incident:pN label'),
    });
    expect(
      routeEvent(
        'issue_comment',
        event({ issue: issue(['incident:p0'], 'open', { pull_request: { url: 'x' } }) }),
        options,
      ),
    ).toMatchObject({ reason: expect.stringContaining('pull request') });
  });

  test('a payload that is not what GitHub sends is reported, naming the field', () => {
    expect(routeEvent('issues', { action: 'labeled', issue: { number: 'seven' } }, options)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('issue.number'),
    });
  });
});
