/**
 * The emulator's records and their rendering into the JSON GitHub's REST API returns (full shapes,
 * URLs on the emulator's base URL, `html_url`s on github.com), so responses pass the description.
 */
import { createHash } from 'node:crypto';
import type { RestEndpointMethodTypes } from '@octokit/rest';

type Data<
  Scope extends keyof RestEndpointMethodTypes,
  Method extends keyof RestEndpointMethodTypes[Scope],
> = RestEndpointMethodTypes[Scope][Method] extends { response: { data: infer D } } ? D : never;

export type GitHubIssue = Data<'issues', 'get'>;
export type GitHubIssueComment = Data<'issues', 'getComment'>;
export type GitHubLabel = Data<'issues', 'getLabel'>;
export type GitHubReaction = Data<'reactions', 'createForIssueComment'>;
export type GitHubUser = GitHubIssue['assignees'] extends (infer U)[] | null | undefined ? U : never;
export type GitHubIssueEvent = Data<'issues', 'listEvents'>[number];
export type GitHubTimelineEvent = Data<'issues', 'listEventsForTimeline'>[number];
export type GitHubCollaboratorPermission = Data<'repos', 'getCollaboratorPermissionLevel'>;

export type ReactionContent = GitHubReaction['content'];

/** Repository roles, highest first; `none` for a user without access. */
const ROLES = ['admin', 'maintain', 'write', 'triage', 'read', 'none'] as const;
export type Role = (typeof ROLES)[number];

export type AuthorAssociation = GitHubIssueComment['author_association'];

export interface Urls {
  /** The emulator's base URL, standing in for https://api.github.com (no trailing slash). */
  api: string;
  /** Where `html_url`s point: https://github.com. */
  web: string;
}

export interface UserRecord {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
  name: string | null;
  createdAt: Date;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface ReactionRecord {
  id: number;
  content: ReactionContent;
  user: UserRecord;
  createdAt: Date;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  user: UserRecord;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  /** Fixed by the test; otherwise derived from the author's relation to the repository. */
  authorAssociation?: AuthorAssociation;
  reactions: ReactionRecord[];
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: UserRecord;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  /** Lower-cased label names, in the order they were added. */
  labels: string[];
  assignees: UserRecord[];
  locked: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closedBy: UserRecord | null;
  authorAssociation?: AuthorAssociation;
  reactions: ReactionRecord[];
  /** Its sub-issues, by number, in the order they were added; and its parent's number. */
  subIssues?: number[];
  parent?: number;
}

export type IssueEventRecord = {
  id: number;
  issueNumber: number;
  actor: UserRecord;
  createdAt: Date;
} & (
  | { event: 'labeled' | 'unlabeled'; label: { name: string; color: string } }
  | { event: 'assigned' | 'unassigned'; assignee: UserRecord }
  | { event: 'closed' | 'reopened'; stateReason: string | null }
  | { event: 'renamed'; rename: { from: string; to: string } }
);

export interface RepoRecord {
  id: number;
  owner: UserRecord;
  name: string;
  visibility: 'public' | 'private';
  defaultBranch: string;
  issues: Map<number, IssueRecord>;
  comments: Map<number, CommentRecord>;
  /** Keyed by lower-cased name: GitHub label names are case-insensitive. */
  labels: Map<string, LabelRecord>;
  events: IssueEventRecord[];
  /** ref → path → content. */
  files: Map<string, Map<string, Buffer>>;
  /** Lower-cased login → role; users not listed have no explicit access. */
  roles: Map<string, Role>;
  /** Lower-cased logins of the owning organisation's members (for author_association MEMBER). */
  members: Set<string>;
  nextIssueNumber: number;
  /** What the workflow's GITHUB_TOKEN may do with contents (its `permissions:`): read by default. */
  contentsPermission: 'read' | 'write';
  /** Every commit made through the contents API, oldest first. */
  commits: { ref: string; path: string; message: string; by: string; sha: string; at: Date }[];
}

export function fullName(repo: RepoRecord): string {
  return `${repo.owner.login}/${repo.name}`;
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Opaque global node IDs in GitHub's current style (`I_kwDO…`), stable for a given id. */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`${prefix}:${id}`).toString('base64url')}`;
}

/** Users still carry legacy node IDs: base64 of `04:User1`, `03:Bot41898282`, ... */
function userNodeId(user: UserRecord): string {
  const kind = user.type === 'Organization' ? '012:Organization' : user.type === 'Bot' ? '03:Bot' : '04:User';
  return Buffer.from(`${kind}${user.id}`).toString('base64');
}

export function renderUser(urls: Urls, user: UserRecord): GitHubUser {
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  const isBot = user.type === 'Bot';
  return {
    login: user.login,
    id: user.id,
    node_id: userNodeId(user),
    avatar_url: isBot
      ? `https://avatars.githubusercontent.com/in/${user.id}?v=4`
      : `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: isBot ? `${urls.web}/apps/${user.login.replace(/\[bot\]$/, '')}` : `${urls.web}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

function repoApi(urls: Urls, repo: RepoRecord): string {
  return `${urls.api}/repos/${fullName(repo)}`;
}

export function renderLabel(urls: Urls, repo: RepoRecord, label: LabelRecord): GitHubLabel {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${repoApi(urls, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

export function issueLabels(repo: RepoRecord, issue: IssueRecord): LabelRecord[] {
  return issue.labels
    .map((key) => repo.labels.get(key))
    .filter((label): label is LabelRecord => label !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
}

function rollup(url: string, reactions: ReactionRecord[]): NonNullable<GitHubIssue['reactions']> {
  const count = (content: ReactionContent): number =>
    reactions.filter((reaction) => reaction.content === content).length;
  return {
    url,
    total_count: reactions.length,
    '+1': count('+1'),
    '-1': count('-1'),
    laugh: count('laugh'),
    hooray: count('hooray'),
    confused: count('confused'),
    heart: count('heart'),
    rocket: count('rocket'),
    eyes: count('eyes'),
  };
}

/**
 * What GitHub shows as `author_association`: OWNER for the repository's owner, MEMBER for members
 * of the owning organisation, COLLABORATOR for anyone given a role, NONE otherwise.
 */
function associationOf(repo: RepoRecord, user: UserRecord): AuthorAssociation {
  const login = user.login.toLowerCase();
  if (login === repo.owner.login.toLowerCase()) return 'OWNER';
  if (repo.members.has(login)) return 'MEMBER';
  const role = repo.roles.get(login);
  if (role !== undefined && role !== 'none') return 'COLLABORATOR';
  return 'NONE';
}

export function renderIssue(urls: Urls, repo: RepoRecord, issue: IssueRecord): GitHubIssue {
  const url = `${repoApi(urls, repo)}/issues/${issue.number}`;
  const comments = [...repo.comments.values()].filter((comment) => comment.issueNumber === issue.number);
  const assignees = issue.assignees.map((user) => renderUser(urls, user));
  return {
    url,
    repository_url: repoApi(urls, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${urls.web}/${fullName(repo)}/issues/${issue.number}`,
    id: issue.id,
    node_id: nodeId('I', issue.id),
    number: issue.number,
    title: issue.title,
    user: renderUser(urls, issue.user),
    labels: issueLabels(repo, issue).map((label) => renderLabel(urls, repo, label)),
    state: issue.state,
    locked: issue.locked,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: comments.length,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: issue.closedAt ? iso(issue.closedAt) : null,
    author_association: issue.authorAssociation ?? associationOf(repo, issue.user),
    type: null,
    active_lock_reason: null,
    sub_issues_summary: subIssuesSummary(repo, issue),
    issue_dependencies_summary: { blocked_by: 0, blocking: 0, total_blocked_by: 0, total_blocking: 0 },
    body: issue.body,
    closed_by: issue.closedBy ? renderUser(urls, issue.closedBy) : null,
    reactions: rollup(`${url}/reactions`, issue.reactions),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.stateReason,
  };
}

export function renderComment(urls: Urls, repo: RepoRecord, comment: CommentRecord): GitHubIssueComment {
  const url = `${repoApi(urls, repo)}/issues/comments/${comment.id}`;
  return {
    url,
    html_url: `${urls.web}/${fullName(repo)}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoApi(urls, repo)}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    user: renderUser(urls, comment.user),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: comment.authorAssociation ?? associationOf(repo, comment.user),
    body: comment.body,
    reactions: rollup(`${url}/reactions`, comment.reactions),
    performed_via_github_app: null,
  };
}

export function renderReaction(urls: Urls, reaction: ReactionRecord): GitHubReaction {
  return {
    id: reaction.id,
    node_id: nodeId('REA', reaction.id),
    user: renderUser(urls, reaction.user),
    content: reaction.content,
    created_at: iso(reaction.createdAt),
  };
}

export function renderIssueEvent(urls: Urls, repo: RepoRecord, event: IssueEventRecord): GitHubIssueEvent {
  const common = {
    id: event.id,
    node_id: nodeId(EVENT_NODE_PREFIX[event.event], event.id),
    url: `${repoApi(urls, repo)}/issues/events/${event.id}`,
    actor: renderUser(urls, event.actor),
    event: event.event,
    commit_id: null,
    commit_url: null,
    created_at: iso(event.createdAt),
    performed_via_github_app: null,
  };
  switch (event.event) {
    case 'labeled':
    case 'unlabeled':
      return { ...common, label: event.label };
    case 'assigned':
    case 'unassigned':
      return {
        ...common,
        assignee: renderUser(urls, event.assignee),
        assigner: renderUser(urls, event.actor),
      };
    case 'closed':
    case 'reopened':
      // The description's issue-event union has no closed/reopened member; GitHub sends this shape.
      return { ...common, state_reason: event.stateReason } as GitHubIssueEvent;
    case 'renamed':
      return { ...common, rename: event.rename };
  }
}

const EVENT_NODE_PREFIX: Record<IssueEventRecord['event'], string> = {
  labeled: 'LE',
  unlabeled: 'UNLE',
  assigned: 'AE',
  unassigned: 'UAE',
  closed: 'CE',
  reopened: 'REE',
  renamed: 'RTE',
};

/** A comment as the timeline lists it: the comment plus `event: 'commented'` and `actor`. */
export function renderTimelineComment(
  urls: Urls,
  repo: RepoRecord,
  comment: CommentRecord,
): GitHubTimelineEvent {
  const rendered = renderComment(urls, repo, comment);
  return { ...rendered, event: 'commented', actor: rendered.user ?? undefined } as GitHubTimelineEvent;
}

export function renderTimelineEvent(
  urls: Urls,
  repo: RepoRecord,
  event: IssueEventRecord,
): GitHubTimelineEvent {
  const rendered = renderIssueEvent(urls, repo, event) as GitHubTimelineEvent & { assigner?: unknown };
  // The timeline's assigned/unassigned entries carry no `assigner`.
  if (event.event === 'assigned' || event.event === 'unassigned') delete rendered.assigner;
  return rendered;
}

export function renderCollaboratorPermission(
  urls: Urls,
  user: UserRecord,
  role: Role,
): GitHubCollaboratorPermission {
  const at = (level: Role): boolean => ROLES.indexOf(role) <= ROLES.indexOf(level) && role !== 'none';
  return {
    permission: LEGACY_PERMISSION[role],
    role_name: role,
    user: {
      ...renderUser(urls, user),
      permissions: {
        admin: at('admin'),
        maintain: at('maintain'),
        push: at('write'),
        triage: at('triage'),
        pull: at('read'),
      },
      role_name: role,
    },
  };
}

/** GitHub's legacy `permission` field folds maintain into write and triage into read. */
const LEGACY_PERMISSION: Record<Role, 'admin' | 'write' | 'read' | 'none'> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

/** The blob SHA git (and so GitHub) gives a file's content. */
export function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export interface ContentEntry {
  type: 'file' | 'dir';
  name: string;
  path: string;
  sha: string;
  size: number;
  url: string;
  html_url: string;
  git_url: string;
  download_url: string | null;
  _links: { self: string; git: string; html: string };
}

export function renderContentEntry(
  urls: Urls,
  repo: RepoRecord,
  ref: string,
  path: string,
  entry: { type: 'file'; content: Buffer } | { type: 'dir'; sha: string },
): ContentEntry {
  const sha = entry.type === 'file' ? gitBlobSha(entry.content) : entry.sha;
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  const self = `${repoApi(urls, repo)}/contents/${encodedPath}?ref=${encodeURIComponent(ref)}`;
  const git = `${repoApi(urls, repo)}/git/${entry.type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  const html = `${urls.web}/${fullName(repo)}/${entry.type === 'file' ? 'blob' : 'tree'}/${ref}/${encodedPath}`;
  return {
    type: entry.type,
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    sha,
    size: entry.type === 'file' ? entry.content.length : 0,
    url: self,
    html_url: html,
    git_url: git,
    download_url:
      entry.type === 'file'
        ? `https://raw.githubusercontent.com/${fullName(repo)}/${ref}/${encodedPath}`
        : null,
    _links: { self, git, html },
  };
}

/** GitHub wraps base64 file content at 60 characters, each line ending in `\n`. */
export function base64Lines(content: Buffer): string {
  const base64 = content.toString('base64');
  return (base64.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}

/** GitHub's count of an issue's sub-issues and how many of them are closed. */
function subIssuesSummary(
  repo: RepoRecord,
  issue: IssueRecord,
): { total: number; completed: number; percent_completed: number } {
  const children = (issue.subIssues ?? []).flatMap((number) => repo.issues.get(number) ?? []);
  const completed = children.filter((child) => child.state === 'closed').length;
  return {
    total: children.length,
    completed,
    percent_completed: children.length === 0 ? 0 : Math.floor((completed * 100) / children.length),
  };
}
