import { createHash } from 'node:crypto';
/**
 * What the emulator answers for each operation of the description, keyed by operationId. Requests
 * reaching a handler have already been authenticated and checked against the description.
 */
import {
  base64Lines,
  fullName,
  gitBlobSha,
  iso,
  issueLabels,
  renderCollaboratorPermission,
  renderComment,
  renderContentEntry,
  renderIssue,
  renderIssueEvent,
  renderLabel,
  renderReaction,
  renderTimelineComment,
  renderTimelineEvent,
  renderUser,
  type CommentRecord,
  type IssueRecord,
  type ReactionContent,
  type RepoRecord,
  type Role,
  type Urls,
  type UserRecord,
} from './github-objects.ts';
import { GitHubError, normalisePath, type EmulatorState, type IssuePatch } from './emulator-state.ts';
import { paginate } from './pagination.ts';

export interface RateLimitWindow {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
}

export interface RouteContext {
  state: EmulatorState;
  urls: Urls;
  params: Record<string, string | number>;
  query: URLSearchParams;
  body: unknown;
  actor: UserRecord;
  token: string;
  accept: string;
  rateLimit: RateLimitWindow;
  /** Where pagination links of a repository resource point (GitHub: `/repositories/{id}/…`). */
  linkBase(repo: RepoRecord): string;
  /** The GitHub App behind JWT-authenticated requests (`GET /app`). */
  app: AppIdentity;
}

export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  owner: string;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A non-JSON body (raw file content); not validated against the description. */
  raw?: { contentType: string; data: Buffer };
}

type Handler = (context: RouteContext) => RouteResult;

function notFound(message = 'Not Found'): GitHubError {
  return new GitHubError(404, message);
}

function repoOf(context: RouteContext): RepoRecord {
  const repo = context.state.findRepo(String(context.params.owner), String(context.params.repo));
  if (!repo) throw notFound();
  return repo;
}

function issueOf(context: RouteContext, repo: RepoRecord): IssueRecord {
  const issue = repo.issues.get(Number(context.params.issue_number));
  if (!issue) throw notFound();
  return issue;
}

function commentOf(context: RouteContext, repo: RepoRecord): CommentRecord {
  const comment = repo.comments.get(Number(context.params.comment_id));
  if (!comment) throw notFound();
  return comment;
}

function bodyOf(context: RouteContext): Record<string, unknown> {
  const { body } = context;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** Label and assignee lists arrive as strings or `{ name }` / `{ login }` objects. */
function names(list: unknown, key: 'name' | 'login'): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) =>
    typeof item === 'string' ? item : String((item as Record<string, unknown>)[key]),
  );
}

function page<T>(context: RouteContext, repo: RepoRecord, items: T[]): RouteResult {
  const { items: pageItems, link } = paginate(items, context.query, context.linkBase(repo));
  return { status: 200, body: pageItems, headers: link ? { link } : {} };
}

function issueJson(context: RouteContext, repo: RepoRecord, issue: IssueRecord): unknown {
  return renderIssue(context.urls, repo, issue);
}

function labelsJson(context: RouteContext, repo: RepoRecord, issue: IssueRecord): unknown[] {
  return issueLabels(repo, issue).map((label) => renderLabel(context.urls, repo, label));
}

function commentsOf(repo: RepoRecord, issue: IssueRecord): CommentRecord[] {
  return [...repo.comments.values()].filter((comment) => comment.issueNumber === issue.number);
}

function listIssues(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const query = context.query;
  const state = query.get('state') ?? 'open';
  const wantedLabels = (query.get('labels') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const since = query.get('since');
  const creator = query.get('creator')?.toLowerCase();
  const assignee = query.get('assignee')?.toLowerCase();
  const milestone = query.get('milestone');
  const issues = [...repo.issues.values()].filter((issue) => {
    if (state !== 'all' && issue.state !== state) return false;
    if (!wantedLabels.every((name) => issue.labels.includes(name))) return false;
    if (since && issue.updatedAt < new Date(since)) return false;
    if (creator && issue.user.login.toLowerCase() !== creator) return false;
    if (assignee === 'none' && issue.assignees.length > 0) return false;
    if (assignee === '*' && issue.assignees.length === 0) return false;
    if (assignee && assignee !== 'none' && assignee !== '*') {
      if (!issue.assignees.some((user) => user.login.toLowerCase() === assignee)) return false;
    }
    // The emulator has no milestones: only "none" (or no filter) can match.
    if (milestone && milestone !== 'none') return false;
    return true;
  });
  const sort = query.get('sort') ?? 'created';
  const direction = query.get('direction') === 'asc' ? 1 : -1;
  const key = (issue: IssueRecord): number =>
    sort === 'updated'
      ? issue.updatedAt.getTime()
      : sort === 'comments'
        ? commentsOf(repo, issue).length
        : issue.createdAt.getTime();
  issues.sort((a, b) => direction * (key(a) - key(b) || a.number - b.number));
  return page(
    context,
    repo,
    issues.map((issue) => issueJson(context, repo, issue)),
  );
}

function createIssue(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const body = bodyOf(context);
  const assignees = names(body.assignees, 'login');
  if (typeof body.assignee === 'string') assignees.unshift(body.assignee);
  const issue = context.state.createIssue(repo, context.actor, {
    title: String(body.title),
    body: typeof body.body === 'string' ? body.body : null,
    labels: names(body.labels, 'name'),
    assignees,
  });
  const json = renderIssue(context.urls, repo, issue);
  return { status: 201, body: json, headers: { location: json.url } };
}

function updateIssue(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const issue = issueOf(context, repo);
  const body = bodyOf(context);
  const patch: IssuePatch = {};
  if (typeof body.title === 'string' || typeof body.title === 'number') patch.title = String(body.title);
  if ('body' in body) patch.body = typeof body.body === 'string' ? body.body : null;
  if (body.state === 'open' || body.state === 'closed') patch.state = body.state;
  if ('state_reason' in body) patch.stateReason = (body.state_reason ?? null) as IssuePatch['stateReason'];
  if (Array.isArray(body.labels)) patch.labels = names(body.labels, 'name');
  if (Array.isArray(body.assignees)) patch.assignees = names(body.assignees, 'login');
  else if ('assignee' in body) patch.assignees = typeof body.assignee === 'string' ? [body.assignee] : [];
  context.state.updateIssue(repo, issue, context.actor, patch);
  return { status: 200, body: issueJson(context, repo, issue) };
}

function createComment(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const issue = issueOf(context, repo);
  const comment = context.state.addComment(repo, issue, context.actor, String(bodyOf(context).body));
  const json = renderComment(context.urls, repo, comment);
  return { status: 201, body: json, headers: { location: json.url } };
}

function listComments(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const issue = issueOf(context, repo);
  const since = context.query.get('since');
  const comments = commentsOf(repo, issue)
    .filter((comment) => !since || comment.updatedAt >= new Date(since))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  return page(
    context,
    repo,
    comments.map((comment) => renderComment(context.urls, repo, comment)),
  );
}

function react(context: RouteContext, target: { reactions: CommentRecord['reactions'] }): RouteResult {
  const content = String(bodyOf(context).content) as ReactionContent;
  const { reaction, created } = context.state.react(target, context.actor, content);
  return { status: created ? 201 : 200, body: renderReaction(context.urls, reaction) };
}

/** GitHub lets a user remove only their own reaction; another's, or one already gone, is Not Found. */
function deleteCommentReaction(context: RouteContext): RouteResult {
  const comment = commentOf(context, repoOf(context));
  const index = comment.reactions.findIndex(
    (reaction) => reaction.id === Number(context.params.reaction_id) && reaction.user === context.actor,
  );
  if (index < 0) throw notFound();
  comment.reactions.splice(index, 1);
  return { status: 204 };
}

function listCommentReactions(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const comment = commentOf(context, repo);
  const content = context.query.get('content');
  const reactions = comment.reactions.filter((reaction) => !content || reaction.content === content);
  return page(
    context,
    repo,
    reactions.map((reaction) => renderReaction(context.urls, reaction)),
  );
}

function timeline(context: RouteContext, repo: RepoRecord, issue: IssueRecord): RouteResult {
  const entries = [
    ...repo.events
      .filter((event) => event.issueNumber === issue.number)
      .map((event) => ({ at: event.createdAt, json: renderTimelineEvent(context.urls, repo, event) })),
    ...commentsOf(repo, issue).map((comment) => ({
      at: comment.createdAt,
      json: renderTimelineComment(context.urls, repo, comment),
    })),
  ];
  // A stable sort keeps events of the same instant in the order they happened.
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  return page(
    context,
    repo,
    entries.map((entry) => entry.json),
  );
}

function permission(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const user = context.state.findUser(String(context.params.username));
  if (!user) throw notFound();
  const login = user.login.toLowerCase();
  let role: Role | undefined = repo.roles.get(login);
  if (role === undefined && login === repo.owner.login.toLowerCase()) role = 'admin';
  // Without a grant: everyone can read a public repository; nobody a private one.
  role ??= repo.visibility === 'public' ? 'read' : 'none';
  return { status: 200, body: renderCollaboratorPermission(context.urls, user, role) };
}

function teamMembership(context: RouteContext): RouteResult {
  const org = String(context.params.org);
  const slug = String(context.params.team_slug);
  const login = String(context.params.username);
  const team = context.state.teams.get(`${org}/${slug}`.toLowerCase());
  if (!team) throw notFound();
  const setting = team.members.get(login.toLowerCase()) ?? team.members.get('*') ?? 'absent';
  if (setting === 'forbidden') throw new GitHubError(403, 'Resource not accessible by integration');
  if (setting === 'absent') throw notFound();
  return {
    status: 200,
    body: {
      url: `${context.urls.api}/organizations/${team.id}/team/${team.id}/memberships/${encodeURIComponent(login)}`,
      role: setting.role,
      state: setting.state,
    },
  };
}

function content(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const ref = context.query.get('ref') ?? repo.defaultBranch;
  const files = repo.files.get(ref);
  if (!files) throw notFound(`No commit found for the ref ${ref}`);
  const path = normalisePath(String(context.params.path));
  const file = files.get(path);
  if (file) {
    if (/\.raw\b/.test(context.accept)) {
      return { status: 200, raw: { contentType: 'application/vnd.github.raw; charset=utf-8', data: file } };
    }
    const entry = renderContentEntry(context.urls, repo, ref, path, { type: 'file', content: file });
    return { status: 200, body: { ...entry, content: base64Lines(file), encoding: 'base64' } };
  }
  const prefix = `${path}/`;
  const children = new Map<string, ReturnType<typeof renderContentEntry>>();
  for (const [filePath, fileContent] of files) {
    if (!filePath.startsWith(prefix)) continue;
    const [childName, ...deeper] = filePath.slice(prefix.length).split('/');
    const childPath = `${prefix}${childName}`;
    if (children.has(childPath)) continue;
    children.set(
      childPath,
      deeper.length === 0
        ? renderContentEntry(context.urls, repo, ref, childPath, { type: 'file', content: fileContent })
        : renderContentEntry(context.urls, repo, ref, childPath, {
            type: 'dir',
            sha: gitBlobSha(Buffer.from(childPath)),
          }),
    );
  }
  if (children.size === 0) throw notFound();
  return { status: 200, body: [...children.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

function authenticatedUser(context: RouteContext): RouteResult {
  const { actor } = context;
  // Installation tokens (GITHUB_TOKEN) have no user behind them.
  if (actor.type === 'Bot') throw new GitHubError(403, 'Resource not accessible by integration');
  return {
    status: 200,
    body: {
      ...renderUser(context.urls, actor),
      name: actor.name,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: iso(actor.createdAt),
      updated_at: iso(actor.createdAt),
    },
  };
}

/** `GET /app` takes a GitHub App's JWT; any other token gets GitHub's 401. */
function authenticatedApp(context: RouteContext): RouteResult {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(context.token)) {
    throw new GitHubError(401, 'A JSON web token could not be decoded');
  }
  const { app } = context;
  const owner = context.state.user(app.owner, 'Organization');
  const at = iso(owner.createdAt);
  return {
    status: 200,
    body: {
      id: app.id,
      slug: app.slug,
      node_id: `A_kwHO${Buffer.from(String(app.id)).toString('base64url')}`,
      client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
      owner: renderUser(context.urls, owner),
      name: app.name,
      description: null,
      external_url: `https://github.com/${app.owner}`,
      html_url: `${context.urls.web}/apps/${app.slug}`,
      created_at: at,
      updated_at: at,
      permissions: { issues: 'write', metadata: 'read', contents: 'read', members: 'read' },
      events: ['issue_comment', 'issues'],
    },
  };
}

function rateLimit(context: RouteContext): RouteResult {
  const window = context.rateLimit;
  const other = (limit: number): RateLimitWindow => ({
    limit,
    remaining: limit,
    used: 0,
    reset: window.reset,
  });
  return {
    status: 200,
    body: {
      resources: {
        core: window,
        search: other(30),
        graphql: other(5000),
        integration_manifest: other(5000),
        code_search: other(10),
      },
      rate: window,
    },
  };
}

/**
 * `POST /repos/{owner}/{repo}/dispatches`: GitHub starts the workflows listening for the event
 * type; the emulator records it for the test to run. As GitHub: 10 top-level client_payload keys
 * at most, and a GITHUB_TOKEN (a bot) cannot use it to start workflows — here it cannot at all.
 */
function createDispatch(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const body = bodyOf(context);
  const payload = body.client_payload ?? {};
  if (typeof payload === 'object' && payload !== null && Object.keys(payload).length > 10)
    throw new GitHubError(422, 'client_payload: no more than 10 top-level properties');
  if (context.actor.login === 'github-actions[bot]')
    throw new GitHubError(403, 'Resource not accessible by integration');
  context.state.dispatches.push({
    repo: `${repo.owner.login}/${repo.name}`,
    eventType: String(body.event_type),
    clientPayload: payload,
    actor: context.actor.login,
    at: context.state.now(),
  });
  return { status: 204 };
}

/**
 * `PUT /repos/{owner}/{repo}/contents/{path}`: one commit that creates or replaces a file on a
 * branch. As GitHub: an existing file needs its current blob `sha` (422 without it, 409 when it
 * is not the current one); a branch that does not exist is a 404; a GITHUB_TOKEN whose workflow
 * grants `contents: read` only is refused (403).
 */
function putContent(context: RouteContext): RouteResult {
  const repo = repoOf(context);
  const body = bodyOf(context);
  if (context.actor.login === 'github-actions[bot]' && repo.contentsPermission !== 'write')
    throw new GitHubError(403, 'Resource not accessible by integration');
  const ref = typeof body.branch === 'string' ? body.branch : repo.defaultBranch;
  const files = repo.files.get(ref);
  if (!files) throw notFound(`Branch ${ref} not found`);
  const path = normalisePath(String(context.params.path));
  const existing = files.get(path);
  if (existing) {
    if (typeof body.sha !== 'string')
      throw new GitHubError(422, `Invalid request.\n\n"sha" wasn't supplied.`);
    if (body.sha !== gitBlobSha(existing)) throw new GitHubError(409, `${path} does not match ${body.sha}`);
  }
  const content = Buffer.from(String(body.content), 'base64');
  files.set(path, content);
  const at = context.state.now();
  const sha = createHash('sha1')
    .update(`${ref}:${path}:${at.toISOString()}:${repo.commits.length}`)
    .digest('hex');
  repo.commits.push({ ref, path, message: String(body.message), by: context.actor.login, sha, at });
  const api = `${context.urls.api}/repos/${fullName(repo)}`;
  const person = {
    name: context.actor.login,
    email: `${context.actor.id}+${context.actor.login}@users.noreply.github.com`,
    date: iso(at),
  };
  return {
    status: existing ? 200 : 201,
    body: {
      content: renderContentEntry(context.urls, repo, ref, path, { type: 'file', content }),
      commit: {
        sha,
        node_id: `C_kwDO${Buffer.from(sha).toString('base64url').slice(0, 20)}`,
        url: `${api}/git/commits/${sha}`,
        html_url: `${context.urls.web}/${fullName(repo)}/commit/${sha}`,
        author: person,
        committer: person,
        message: String(body.message),
        tree: { sha: gitBlobSha(Buffer.from(sha)), url: `${api}/git/trees/${sha}` },
        parents: [],
        verification: {
          verified: false,
          reason: 'unsigned',
          signature: null,
          payload: null,
          verified_at: null,
        },
      },
    },
  };
}

export const ROUTES: Record<string, Handler> = {
  'repos/create-dispatch-event': createDispatch,
  'repos/create-or-update-file-contents': putContent,
  'issues/get': (context) => {
    const repo = repoOf(context);
    return { status: 200, body: issueJson(context, repo, issueOf(context, repo)) };
  },
  'issues/update': updateIssue,
  'issues/create': createIssue,
  'issues/list-for-repo': listIssues,
  'issues/list-comments': listComments,
  'issues/create-comment': createComment,
  'issues/get-comment': (context) => {
    const repo = repoOf(context);
    return { status: 200, body: renderComment(context.urls, repo, commentOf(context, repo)) };
  },
  'issues/update-comment': (context) => {
    const repo = repoOf(context);
    const comment = context.state.updateComment(commentOf(context, repo), String(bodyOf(context).body));
    return { status: 200, body: renderComment(context.urls, repo, comment) };
  },
  'reactions/create-for-issue-comment': (context) => react(context, commentOf(context, repoOf(context))),
  'reactions/create-for-issue': (context) => react(context, issueOf(context, repoOf(context))),
  'reactions/list-for-issue-comment': listCommentReactions,
  'reactions/delete-for-issue-comment': deleteCommentReaction,
  'issues/add-labels': (context) => {
    const repo = repoOf(context);
    const issue = issueOf(context, repo);
    context.state.addLabels(repo, issue, context.actor, names(bodyOf(context).labels, 'name'));
    return { status: 200, body: labelsJson(context, repo, issue) };
  },
  'issues/remove-label': (context) => {
    const repo = repoOf(context);
    const issue = issueOf(context, repo);
    context.state.removeLabel(repo, issue, context.actor, String(context.params.name));
    return { status: 200, body: labelsJson(context, repo, issue) };
  },
  'issues/set-labels': (context) => {
    const repo = repoOf(context);
    const issue = issueOf(context, repo);
    context.state.setLabels(repo, issue, context.actor, names(bodyOf(context).labels, 'name'));
    return { status: 200, body: labelsJson(context, repo, issue) };
  },
  'issues/list-labels-on-issue': (context) => {
    const repo = repoOf(context);
    return page(context, repo, labelsJson(context, repo, issueOf(context, repo)));
  },
  'issues/create-label': (context) => {
    const repo = repoOf(context);
    const body = bodyOf(context);
    const label = context.state.createLabel(
      repo,
      String(body.name),
      typeof body.color === 'string' ? body.color : undefined,
      typeof body.description === 'string' ? body.description : null,
    );
    const json = renderLabel(context.urls, repo, label);
    return { status: 201, body: json, headers: { location: json.url } };
  },
  'issues/get-label': (context) => {
    const repo = repoOf(context);
    const label = repo.labels.get(String(context.params.name).toLowerCase());
    if (!label) throw notFound();
    return { status: 200, body: renderLabel(context.urls, repo, label) };
  },
  'issues/add-sub-issue': (context) => {
    const repo = repoOf(context);
    const parent = issueOf(context, repo);
    const body = bodyOf(context);
    const child = context.state.addSubIssue(
      repo,
      parent,
      Number(body.sub_issue_id),
      body.replace_parent === true,
    );
    return { status: 201, body: issueJson(context, repo, child) };
  },
  'issues/list-sub-issues': (context) => {
    const repo = repoOf(context);
    const parent = issueOf(context, repo);
    const children = (parent.subIssues ?? []).flatMap((number) => repo.issues.get(number) ?? []);
    return page(
      context,
      repo,
      children.map((child) => issueJson(context, repo, child)),
    );
  },
  'issues/add-assignees': (context) => {
    const repo = repoOf(context);
    const issue = issueOf(context, repo);
    context.state.addAssignees(repo, issue, context.actor, names(bodyOf(context).assignees, 'login'));
    return { status: 201, body: issueJson(context, repo, issue) };
  },
  'issues/remove-assignees': (context) => {
    const repo = repoOf(context);
    const issue = issueOf(context, repo);
    context.state.removeAssignees(repo, issue, context.actor, names(bodyOf(context).assignees, 'login'));
    return { status: 200, body: issueJson(context, repo, issue) };
  },
  'repos/get-collaborator-permission-level': permission,
  'teams/get-membership-for-user-in-org': teamMembership,
  'issues/list-events': (context) => {
    const repo = repoOf(context);
    const issue = issueOf(context, repo);
    const events = repo.events.filter((event) => event.issueNumber === issue.number);
    return page(
      context,
      repo,
      events.map((event) => renderIssueEvent(context.urls, repo, event)),
    );
  },
  'issues/list-events-for-timeline': (context) => {
    const repo = repoOf(context);
    return timeline(context, repo, issueOf(context, repo));
  },
  'repos/get-content': content,
  'users/get-authenticated': authenticatedUser,
  'apps/get-authenticated': authenticatedApp,
  'rate-limit/get': rateLimit,
};
