import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';
import { OpenApiValidator } from '../../harness/github/openapi-validator.ts';

const owner = 'octo-org';
const repo = 'incidents';
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let emulator: GitHubEmulator;
let octokit: Octokit;
let clock: Date;

function client(auth = 'ghs_action_token'): Octokit {
  return new Octokit({ baseUrl: emulator.url, auth, log: quiet });
}

/** The rejection of a request, for asserting on status and message. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; message: string; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    const { status, message, response } = error as {
      status: number;
      message: string;
      response?: { headers: Record<string, string> };
    };
    return { status, message, headers: response?.headers ?? {} };
  }
  throw new Error('expected the request to fail');
}

beforeEach(async () => {
  clock = new Date('2025-03-01T10:00:00Z');
  emulator = await startEmulator({ now: () => clock });
  octokit = client();
});

afterEach(async () => {
  await emulator.close();
});

describe('holding requests to GitHub’s description', () => {
  it('rejects a reaction GitHub does not know, loudly and on the record', async () => {
    const issue = emulator.createIssue({ title: 'API down' });
    const comment = emulator.addComment(issue.number, { user: 'alice', body: '/ack' });

    const rejected = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
        owner,
        repo,
        comment_id: comment.id,
        content: 'thumbsup-typo' as '+1',
      }),
    );

    expect(rejected.status).toBe(400);
    expect(rejected.message).toContain("Emulator: request does not match GitHub's OpenAPI description");
    expect(rejected.message).toContain('/content must be equal to one of the allowed values');
    expect(emulator.violations).toHaveLength(1);
    expect(emulator.violations[0]).toMatchObject({
      kind: 'request',
      operationId: 'reactions/create-for-issue-comment',
    });
    expect(emulator.reactionsFor(comment.id)).toEqual([]);
  });

  it('rejects a route the description does not have', async () => {
    emulator.createIssue({ title: 'API down' });

    const rejected = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comment', {
        owner,
        repo,
        issue_number: 1,
        body: 'typo in the route',
      }),
    );

    expect(rejected.status).toBe(400);
    expect(rejected.message).toContain('undocumented route: POST /repos/octo-org/incidents/issues/1/comment');
    expect(emulator.violations.map((violation) => violation.kind)).toEqual(['request']);
  });

  it('rejects a comment without a body and a query parameter GitHub does not describe', async () => {
    emulator.createIssue({ title: 'API down' });

    const noBody = await failure(
      // Not the typed route: its types (rightly) demand a body.
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments' as string, {
        owner,
        repo,
        issue_number: 1,
      }),
    );
    const typo = await failure(
      octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: 1,
        perpage: 100,
      }),
    );

    expect(noBody.status).toBe(400);
    expect(noBody.message).toContain('request body is required');
    expect(typo.message).toContain("query parameter 'perpage' is not described for issues/list-comments");
    expect(emulator.violations.map((violation) => violation.operationId)).toEqual([
      'issues/create-comment',
      'issues/list-comments',
    ]);
    expect(emulator.listComments(1)).toEqual([]);
  });

  it('checks responses too: a body that breaks the description is caught', () => {
    const validator = new OpenApiValidator();
    const issue = emulator.createIssue({ title: 'API down' });

    expect(validator.validateResponse('issues/get', 200, issue)).toEqual([]);
    const withoutHtmlUrl: Record<string, unknown> = { ...issue };
    delete withoutHtmlUrl.html_url;
    expect(validator.validateResponse('issues/get', 200, withoutHtmlUrl)).toEqual([
      "200 response body: (root) must have required property 'html_url'",
    ]);
    expect(validator.validateResponse('issues/get', 200, { ...issue, state_reason: 'fixed' })[0]).toContain(
      '/state_reason must be equal to one of the allowed values',
    );
    expect(validator.validateResponse('issues/create', 200, issue)).toEqual([
      'status 200 is not described for issues/create',
    ]);
  });

  it('answers 401 without a token, and to tokens it does not know when tokens are configured', async () => {
    const anonymous = await failure(
      new Octokit({ baseUrl: emulator.url, log: quiet }).rest.issues.get({ owner, repo, issue_number: 1 }),
    );
    expect(anonymous).toMatchObject({
      status: 401,
      message: expect.stringContaining('Requires authentication'),
    });

    const strict = await startEmulator({ tokens: { ghp_alice: 'alice' } });
    try {
      const strictClient = (auth: string): Octokit => new Octokit({ baseUrl: strict.url, auth, log: quiet });
      const bad = await failure(strictClient('ghp_mallory').rest.rateLimit.get());
      expect(bad).toMatchObject({ status: 401, message: expect.stringContaining('Bad credentials') });
      const { data: alice } = await strictClient('ghp_alice').rest.users.getAuthenticated();
      expect(alice).toMatchObject({ login: 'alice', type: 'User' });
      expect(strict.violations).toEqual([]);
    } finally {
      await strict.close();
    }
    expect(emulator.violations).toEqual([]);
  });
});

describe('issues and comments', () => {
  it('paginates 250 comments like GitHub: octokit.paginate gets all, in order, in 3 requests', async () => {
    const issue = emulator.createIssue({ title: 'Long incident' });
    const seeded = Array.from({ length: 250 }, (_, index) =>
      emulator.addComment(issue.number, {
        user: index % 2 ? 'alice' : 'bob',
        body: `update ${index + 1}`,
        createdAt: new Date(clock.getTime() + index * 60_000),
      }),
    );

    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issue.number,
      per_page: 100,
    });

    expect(comments.map((comment) => comment.id)).toEqual(seeded.map((comment) => comment.id));
    expect(comments.at(-1)?.body).toBe('update 250');
    const listed = emulator.requestsFor('issues/list-comments');
    expect(listed).toHaveLength(Math.ceil(250 / 100));
    // Octokit follows GitHub's own link form: /repositories/{id}/...
    expect(listed.map((request) => request.path)).toEqual([
      '/repos/octo-org/incidents/issues/1/comments',
      `/repositories/${emulator.repo().id}/issues/1/comments`,
      `/repositories/${emulator.repo().id}/issues/1/comments`,
    ]);
    expect(emulator.violations).toEqual([]);
  });

  it('writes Link headers the way GitHub does', async () => {
    const issue = emulator.createIssue({ title: 'Long incident' });
    for (let index = 0; index < 250; index += 1)
      emulator.addComment(issue.number, { body: `update ${index}` });
    const base = `${emulator.url}/repositories/${emulator.repo().id}/issues/1/comments`;
    const page = (n: number): string => `${base}?per_page=100&page=${n}`;

    const first = await octokit.rest.issues.listComments({ owner, repo, issue_number: 1, per_page: 100 });
    const middle = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: 1,
      per_page: 100,
      page: 2,
    });
    const last = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: 1,
      per_page: 100,
      page: 3,
    });
    const defaults = await octokit.rest.issues.listComments({ owner, repo, issue_number: 1 });
    const clamped = await octokit.rest.issues.listComments({ owner, repo, issue_number: 1, per_page: 500 });

    expect(first.headers.link).toBe(`<${page(2)}>; rel="next", <${page(3)}>; rel="last"`);
    expect(middle.headers.link).toBe(
      `<${page(1)}>; rel="prev", <${page(3)}>; rel="next", <${page(3)}>; rel="last", <${page(1)}>; rel="first"`,
    );
    expect(last.headers.link).toBe(`<${page(2)}>; rel="prev", <${page(1)}>; rel="first"`);
    expect(last.data).toHaveLength(50);
    expect(defaults.data).toHaveLength(30);
    expect(defaults.headers.link).toContain(`<${base}?page=9>; rel="last"`);
    expect(clamped.data).toHaveLength(100);
    expect(emulator.violations).toEqual([]);
  });

  it('lists only comments updated since a time', async () => {
    const issue = emulator.createIssue({ title: 'API down' });
    emulator.addComment(issue.number, { body: 'old', createdAt: new Date('2025-03-01T09:00:00Z') });
    emulator.addComment(issue.number, { body: 'new', createdAt: new Date('2025-03-01T11:00:00Z') });

    const { data } = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: issue.number,
      since: '2025-03-01T10:00:00Z',
    });

    expect(data.map((comment) => comment.body)).toEqual(['new']);
    expect(emulator.violations).toEqual([]);
  });

  it('filters issues by all of the labels given, by state, and sorts them', async () => {
    emulator.createIssue({ title: 'one', labels: ['incident', 'sev1'] });
    clock = new Date('2025-03-01T10:05:00Z');
    emulator.createIssue({ title: 'two', labels: ['incident'] });
    clock = new Date('2025-03-01T10:10:00Z');
    emulator.createIssue({ title: 'three', labels: ['incident', 'sev1'], state: 'closed' });

    const open = await octokit.rest.issues.listForRepo({ owner, repo, labels: 'incident,sev1' });
    const all = await octokit.rest.issues.listForRepo({
      owner,
      repo,
      labels: 'Incident',
      state: 'all',
      direction: 'asc',
    });
    const closed = await octokit.rest.issues.listForRepo({ owner, repo, state: 'closed' });

    expect(open.data.map((issue) => issue.title)).toEqual(['one']);
    expect(all.data.map((issue) => issue.title)).toEqual(['one', 'two', 'three']);
    expect(closed.data.map((issue) => [issue.title, issue.state, issue.state_reason])).toEqual([
      ['three', 'closed', 'completed'],
    ]);
    expect(emulator.violations).toEqual([]);
  });

  it('creates, reads and edits comments; refuses bodies over 65536 characters with 422', async () => {
    emulator.createIssue({ title: 'API down' });

    const created = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 1,
      body: 'Investigating',
    });
    const longest = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 1,
      body: 'x'.repeat(65536),
    });
    const tooLong = await failure(
      octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x'.repeat(65537) }),
    );
    clock = new Date('2025-03-01T10:30:00Z');
    const edited = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: 'Mitigated',
    });
    const read = await octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id });
    const missing = await failure(octokit.rest.issues.get({ owner, repo, issue_number: 99 }));

    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(created.data.url);
    expect(created.data).toMatchObject({
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      author_association: 'NONE',
      html_url: `https://github.com/octo-org/incidents/issues/1#issuecomment-${created.data.id}`,
      created_at: '2025-03-01T10:00:00Z',
    });
    expect(longest.status).toBe(201);
    expect(tooLong.status).toBe(422);
    expect(tooLong.message).toContain('body is too long (maximum is 65536 characters)');
    expect(edited.data).toMatchObject({ body: 'Mitigated', updated_at: '2025-03-01T10:30:00Z' });
    expect(read.data.body).toBe('Mitigated');
    expect(missing.status).toBe(404);
    expect(emulator.listComments(1)).toHaveLength(2);
    expect(emulator.violations).toEqual([]);
  });

  it('creates and updates issues, recording closed/reopened/renamed events', async () => {
    const created = await octokit.rest.issues.create({
      owner,
      repo,
      title: 'Checkout errors',
      labels: ['incident'],
    });
    clock = new Date('2025-03-01T11:00:00Z');
    const closed = await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: created.data.number,
      state: 'closed',
      state_reason: 'not_planned',
      title: 'Checkout errors (false alarm)',
    });
    clock = new Date('2025-03-01T11:05:00Z');
    const reopened = await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: created.data.number,
      state: 'open',
    });

    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      labels: [{ name: 'incident', color: 'ededed' }],
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      closed_at: '2025-03-01T11:00:00Z',
      closed_by: { login: 'github-actions[bot]' },
    });
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
      closed_by: null,
    });
    const { data: events } = await octokit.rest.issues.listEvents({ owner, repo, issue_number: 1 });
    expect(events.map((event) => event.event)).toEqual(['labeled', 'renamed', 'closed', 'reopened']);
    expect(emulator.violations).toEqual([]);
  });
});

describe('reactions, labels, assignees', () => {
  it('answers 201 for a new reaction and 200 with the same reaction when repeated', async () => {
    const issue = emulator.createIssue({ title: 'API down' });
    const comment = emulator.addComment(issue.number, { user: 'alice', body: '/restart api' });

    const first = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: 'eyes',
    });
    const again = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: 'eyes',
    });
    const other = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: 'rocket',
    });
    const onIssue = await octokit.rest.reactions.createForIssue({
      owner,
      repo,
      issue_number: 1,
      content: '+1',
    });
    const onIssueAgain = await octokit.rest.reactions.createForIssue({
      owner,
      repo,
      issue_number: 1,
      content: '+1',
    });

    expect([first.status, again.status, other.status, onIssue.status, onIssueAgain.status]).toEqual([
      201, 200, 201, 201, 200,
    ]);
    expect(again.data.id).toBe(first.data.id);
    expect(emulator.reactionsFor(comment.id).map((reaction) => reaction.content)).toEqual(['eyes', 'rocket']);
    expect(emulator.listComments(1)[0]?.reactions).toMatchObject({ total_count: 2, eyes: 1, rocket: 1 });
    expect(emulator.getIssue(1)?.reactions).toMatchObject({ total_count: 1, '+1': 1 });
    const { data: listed } = await octokit.rest.reactions.listForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: 'eyes',
    });
    expect(listed.map((reaction) => reaction.user?.login)).toEqual(['github-actions[bot]']);
    expect(emulator.violations).toEqual([]);
  });

  it('adds labels (creating unknown ones), removes them (404 when absent) and records issue events', async () => {
    emulator.repo().createLabel('sev1', 'b60205', 'Customer impact');
    emulator.createIssue({ title: 'API down', labels: ['incident'] });

    clock = new Date('2025-03-01T10:01:00Z');
    const added = await octokit.rest.issues.addLabels({
      owner,
      repo,
      issue_number: 1,
      labels: ['sev1', 'mitigating'],
    });
    clock = new Date('2025-03-01T10:02:00Z');
    const removed = await octokit.rest.issues.removeLabel({
      owner,
      repo,
      issue_number: 1,
      name: 'mitigating',
    });
    const absent = await failure(
      octokit.rest.issues.removeLabel({ owner, repo, issue_number: 1, name: 'mitigating' }),
    );
    const set = await octokit.rest.issues.setLabels({ owner, repo, issue_number: 1, labels: ['resolved'] });
    const created = await octokit.rest.issues.getLabel({ owner, repo, name: 'mitigating' });

    expect(added.data.map((label) => [label.name, label.color])).toEqual([
      ['incident', 'ededed'],
      ['mitigating', 'ededed'],
      ['sev1', 'b60205'],
    ]);
    expect(removed.data.map((label) => label.name)).toEqual(['incident', 'sev1']);
    expect(absent).toMatchObject({ status: 404, message: expect.stringContaining('Label does not exist') });
    expect(set.data.map((label) => label.name)).toEqual(['resolved']);
    expect(created.data).toMatchObject({
      name: 'mitigating',
      color: 'ededed',
      description: null,
      default: false,
    });

    const { data: events } = await octokit.rest.issues.listEvents({ owner, repo, issue_number: 1 });
    const labelEvents = events.map((event) => {
      const { event: kind, label, actor, created_at } = event as typeof event & { label?: { name: string } };
      return [kind, label?.name, actor?.login, created_at];
    });
    expect(labelEvents).toEqual([
      ['labeled', 'incident', 'octocat', '2025-03-01T10:00:00Z'],
      ['labeled', 'sev1', 'github-actions[bot]', '2025-03-01T10:01:00Z'],
      ['labeled', 'mitigating', 'github-actions[bot]', '2025-03-01T10:01:00Z'],
      ['unlabeled', 'mitigating', 'github-actions[bot]', '2025-03-01T10:02:00Z'],
      ['unlabeled', 'incident', 'github-actions[bot]', '2025-03-01T10:02:00Z'],
      ['unlabeled', 'sev1', 'github-actions[bot]', '2025-03-01T10:02:00Z'],
      ['labeled', 'resolved', 'github-actions[bot]', '2025-03-01T10:02:00Z'],
    ]);
    expect(emulator.violations).toEqual([]);
  });

  it('assigns and unassigns, and the timeline interleaves events with comments', async () => {
    emulator.createIssue({ title: 'API down' });
    clock = new Date('2025-03-01T10:01:00Z');
    await octokit.rest.issues.addAssignees({ owner, repo, issue_number: 1, assignees: ['alice', 'bob'] });
    clock = new Date('2025-03-01T10:02:00Z');
    emulator.addComment(1, { user: 'alice', body: 'I am commander' });
    clock = new Date('2025-03-01T10:03:00Z');
    const { data: issue } = await octokit.rest.issues.removeAssignees({
      owner,
      repo,
      issue_number: 1,
      assignees: ['bob'],
    });

    expect(issue.assignees?.map((user) => user.login)).toEqual(['alice']);
    expect(issue.assignee?.login).toBe('alice');
    const { data: timeline } = await octokit.rest.issues.listEventsForTimeline({
      owner,
      repo,
      issue_number: 1,
    });
    expect(timeline.map((entry) => entry.event)).toEqual(['assigned', 'assigned', 'commented', 'unassigned']);
    expect(timeline[2]).toMatchObject({
      body: 'I am commander',
      actor: { login: 'alice' },
      author_association: 'NONE',
    });
    expect(emulator.violations).toEqual([]);
  });
});

describe('who may do what', () => {
  it('tells maintain from write and triage from read through role_name', async () => {
    emulator.setPermission('mia', 'maintain');
    emulator.setPermission('wes', 'write');
    emulator.setPermission('tia', 'triage');
    emulator.user('rando');
    const level = async (username: string): Promise<[string, string]> => {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
      return [data.permission, data.role_name];
    };

    expect(await level('mia')).toEqual(['write', 'maintain']);
    expect(await level('wes')).toEqual(['write', 'write']);
    expect(await level('tia')).toEqual(['read', 'triage']);
    expect(await level('rando')).toEqual(['none', 'none']);
    emulator.repo().setVisibility('public');
    expect(await level('rando')).toEqual(['read', 'read']);
    expect((await failure(level('nobody-at-all'))).status).toBe(404);
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: 'mia',
    });
    expect(data.user?.permissions).toEqual({
      admin: false,
      maintain: true,
      push: true,
      triage: true,
      pull: true,
    });
    expect(emulator.violations).toEqual([]);
  });

  it('answers team membership with 200, 404, or 403 for a token that may not read the org', async () => {
    emulator.setTeamMember(owner, 'sre', 'alice', 'active');
    emulator.setTeamMember(owner, 'sre', 'pat', { state: 'pending', role: 'maintainer' });
    emulator.setTeamMember(owner, 'secret-team', '*', 'forbidden');
    const membership = (team_slug: string, username: string) =>
      octokit.rest.teams.getMembershipForUserInOrg({ org: owner, team_slug, username });

    expect((await membership('sre', 'alice')).data).toMatchObject({ state: 'active', role: 'member' });
    expect((await membership('sre', 'pat')).data).toMatchObject({ state: 'pending', role: 'maintainer' });
    expect((await failure(membership('sre', 'bob'))).status).toBe(404);
    expect((await failure(membership('no-such-team', 'alice'))).status).toBe(404);
    const forbidden = await failure(membership('secret-team', 'alice'));
    expect(forbidden).toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration'),
    });
    expect(emulator.violations).toEqual([]);
  });

  it('refuses GET /user to the GITHUB_TOKEN bot and GET /app to a non-JWT token', async () => {
    expect((await failure(octokit.rest.users.getAuthenticated())).status).toBe(403);
    expect((await failure(octokit.rest.apps.getAuthenticated())).status).toBe(401);
    const { data: app } = await client('eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln').rest.apps.getAuthenticated();
    expect(app).toMatchObject({ slug: 'incident-issueops' });
    expect(emulator.violations).toEqual([]);
  });
});

describe('repository contents', () => {
  it('serves files base64-encoded like GitHub, per ref, and 404s what is absent', async () => {
    const runbook = 'steps:\n  - restart: api # ↻ safe\n';
    emulator.putFile('.github/incident-runbook.yml', runbook);
    emulator.putFile('.github/incident-runbook.yml', 'steps: []\n', { ref: 'v1' });

    const { data } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: '.github/incident-runbook.yml',
    });
    const { data: tagged } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: '.github/incident-runbook.yml',
      ref: 'v1',
    });

    if (Array.isArray(data) || data.type !== 'file' || Array.isArray(tagged) || tagged.type !== 'file') {
      throw new Error('expected file objects');
    }
    expect(Buffer.from(data.content, 'base64').toString('utf8')).toBe(runbook);
    expect(data).toMatchObject({
      type: 'file',
      encoding: 'base64',
      name: 'incident-runbook.yml',
      path: '.github/incident-runbook.yml',
      size: Buffer.byteLength(runbook),
      sha: createHash('sha1')
        .update(`blob ${Buffer.byteLength(runbook)}\0${runbook}`)
        .digest('hex'),
      html_url: 'https://github.com/octo-org/incidents/blob/main/.github/incident-runbook.yml',
    });
    expect(data.content.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(Buffer.from(tagged.content, 'base64').toString('utf8')).toBe('steps: []\n');

    expect((await failure(octokit.rest.repos.getContent({ owner, repo, path: 'missing.yml' }))).status).toBe(
      404,
    );
    const unknownRef = await failure(
      octokit.rest.repos.getContent({ owner, repo, path: '.github/incident-runbook.yml', ref: 'nope' }),
    );
    expect(unknownRef).toMatchObject({
      status: 404,
      message: expect.stringContaining('No commit found for the ref nope'),
    });
    const { data: listing } = await octokit.rest.repos.getContent({ owner, repo, path: '.github' });
    expect(Array.isArray(listing) && listing.map((entry) => entry.name)).toEqual(['incident-runbook.yml']);
    expect(emulator.violations).toEqual([]);
  });

  it('knows the blob sha git gives a file', async () => {
    emulator.putFile('hello.txt', 'hello\n');
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: 'hello.txt' });
    expect(Array.isArray(data) ? undefined : data.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});

describe('headers and the request log', () => {
  it('sets GitHub’s headers and logs every request with its operation', async () => {
    emulator.createIssue({ title: 'API down' });

    const response = await octokit.rest.issues.get({ owner, repo, issue_number: 1 });
    const { data: limits } = await octokit.rest.rateLimit.get();

    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['x-github-request-id']).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/);
    expect(response.headers['x-ratelimit-limit']).toBe('5000');
    expect(response.headers['x-ratelimit-remaining']).toBe('4999');
    expect(response.headers['x-ratelimit-resource']).toBe('core');
    expect(limits.resources.core).toMatchObject({ limit: 5000, used: 1, remaining: 4999 });
    expect(
      emulator.requests.map((request) => [
        request.method,
        request.operationId,
        request.status,
        request.login,
      ]),
    ).toEqual([
      ['GET', 'issues/get', 200, 'github-actions[bot]'],
      ['GET', 'rate-limit/get', 200, 'github-actions[bot]'],
    ]);
    expect(emulator.requests[0]?.time).toEqual(clock);
    expect(emulator.violations).toEqual([]);
  });

  it('answers GitHub’s rate limit 403 once the core window is used up', async () => {
    const limited = await startEmulator({ rateLimit: 2 });
    try {
      limited.createIssue({ title: 'API down' });
      const limitedClient = new Octokit({ baseUrl: limited.url, auth: 'ghs_action_token', log: quiet });
      await limitedClient.rest.issues.get({ owner, repo, issue_number: 1 });
      await limitedClient.rest.issues.get({ owner, repo, issue_number: 1 });

      const exhausted = await failure(limitedClient.rest.issues.get({ owner, repo, issue_number: 1 }));
      const { data } = await limitedClient.rest.rateLimit.get();

      expect(exhausted).toMatchObject({ status: 403, headers: { 'x-ratelimit-remaining': '0' } });
      expect(exhausted.message).toContain('API rate limit exceeded');
      expect(data.rate).toMatchObject({ limit: 2, remaining: 0, used: 2 });
      expect(limited.violations).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe('fault injection', () => {
  const RetryingOctokit = Octokit.plugin(retry, throttling);
  const ThrottledOctokit = Octokit.plugin(throttling);
  const onRateLimit = jest.fn(() => true);
  const onSecondaryRateLimit = jest.fn(() => true);

  function resilientClient(): InstanceType<typeof RetryingOctokit> {
    return new RetryingOctokit({
      baseUrl: emulator.url,
      auth: 'ghs_action_token',
      log: quiet,
      retry: { retryAfterBaseValue: 10 },
      throttle: { onRateLimit, onSecondaryRateLimit, retryAfterBaseValue: 50 },
    });
  }

  beforeEach(() => {
    onRateLimit.mockClear();
    onSecondaryRateLimit.mockClear();
  });

  it('two 502s then success: plugin-retry gets through in three requests', async () => {
    emulator.createIssue({ title: 'API down' });
    const fault = emulator.inject({ operationId: 'issues/get', times: 2, kind: 'status', status: 502 });

    const { data } = await resilientClient().rest.issues.get({ owner, repo, issue_number: 1 });

    expect(data.title).toBe('API down');
    expect(fault.remaining).toBe(0);
    expect(emulator.requestsFor('issues/get').map((request) => [request.status, request.fault])).toEqual([
      [502, 'status'],
      [502, 'status'],
      [200, undefined],
    ]);
    expect(emulator.violations).toEqual([]);
  });

  it('a secondary rate limit (403 + retry-after) is waited out by plugin-throttling', async () => {
    emulator.createIssue({ title: 'API down' });
    emulator.inject({ method: 'GET', path: /\/issues\/1$/, kind: 'secondary-rate-limit', retryAfter: 1 });

    // Without the plugin the fault surfaces as GitHub sends it; with it, the request is retried.
    const bare = await failure(client().rest.issues.get({ owner, repo, issue_number: 1 }));
    emulator.inject({ method: 'GET', path: /\/issues\/1$/, kind: 'secondary-rate-limit', retryAfter: 1 });
    const { data } = await resilientClient().rest.issues.get({ owner, repo, issue_number: 1 });

    expect(bare).toMatchObject({ status: 403, headers: { 'retry-after': '1' } });
    expect(bare.message).toContain('You have exceeded a secondary rate limit');
    expect(data.title).toBe('API down');
    expect(onSecondaryRateLimit).toHaveBeenCalledTimes(1);
    expect(onSecondaryRateLimit.mock.calls[0]).toEqual([1, expect.anything(), expect.anything(), 0] as never);
    expect(emulator.requestsFor('issues/get').map((request) => request.status)).toEqual([403, 403, 200]);
    expect(emulator.violations).toEqual([]);
  });

  it('429 secondary limits and exhausted primary limits reach the throttling handlers too', async () => {
    emulator.createIssue({ title: 'API down' });
    emulator.inject({ operationId: 'issues/get', kind: 'rate-limit-429', retryAfter: 1 });
    emulator.inject({ operationId: 'issues/list-comments', kind: 'primary-rate-limit', resetAfter: 0 });

    // Throttling alone: with plugin-retry as well, a 429 is retried by plugin-retry first.
    const throttled = new ThrottledOctokit({
      baseUrl: emulator.url,
      auth: 'ghs_action_token',
      log: quiet,
      throttle: { onRateLimit, onSecondaryRateLimit, retryAfterBaseValue: 50 },
    });
    await throttled.rest.issues.get({ owner, repo, issue_number: 1 });
    await throttled.rest.issues.listComments({ owner, repo, issue_number: 1 });

    expect(onSecondaryRateLimit).toHaveBeenCalledTimes(1);
    expect(onRateLimit).toHaveBeenCalledTimes(1);
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 200, 403, 200]);
    expect(emulator.violations).toEqual([]);
  });

  it('delays a matching request without changing its answer', async () => {
    emulator.createIssue({ title: 'API down' });
    emulator.inject({ method: 'GET', path: '/repos/octo-org/incidents/issues/1', kind: 'delay', ms: 300 });

    const started = performance.now();
    const { status } = await octokit.rest.issues.get({ owner, repo, issue_number: 1 });
    const elapsed = performance.now() - started;
    const fast = performance.now();
    await octokit.rest.issues.get({ owner, repo, issue_number: 1 });

    expect(status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(performance.now() - fast).toBeLessThan(250);
    expect(emulator.requests.map((request) => request.fault)).toEqual(['delay', undefined]);
    expect(emulator.violations).toEqual([]);
  });
});
