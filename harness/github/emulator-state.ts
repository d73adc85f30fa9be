/**
 * The emulator's in-memory GitHub: users, repositories (issues, comments, labels, reactions,
 * issue events, files, roles) and teams. Every change made through the REST API or by a test goes
 * through these methods, so both see the same bookkeeping (events, counters, timestamps).
 */
import type {
  CommentRecord,
  IssueEventRecord,
  IssueRecord,
  LabelRecord,
  ReactionContent,
  ReactionRecord,
  RepoRecord,
  Role,
  UserRecord,
} from './github-objects.ts';

/** The identity of `GITHUB_TOKEN` in a workflow run. */
export const GITHUB_ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' } as const;

/** The color GitHub gives a label it creates implicitly (adding an unknown label to an issue). */
const IMPLICIT_LABEL_COLOR = 'ededed';

export type TeamMembershipSetting =
  | { state: 'active' | 'pending'; role: 'member' | 'maintainer' }
  /** The token may not read the team (e.g. GITHUB_TOKEN without `read:org`): 403. */
  | 'forbidden'
  | 'absent';

export interface TeamRecord {
  id: number;
  org: string;
  slug: string;
  /** Lower-cased login (or `*` for everyone) → membership. */
  members: Map<string, TeamMembershipSetting>;
}

export interface IssueInput {
  title: string;
  body?: string | null;
  user?: string;
  labels?: string[];
  assignees?: string[];
  state?: 'open' | 'closed';
  createdAt?: Date;
}

export interface IssuePatch {
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  stateReason?: IssueRecord['stateReason'];
  labels?: string[];
  assignees?: string[];
}

/** Thrown by a change GitHub would refuse; the emulator turns it into an error response. */
export class GitHubError extends Error {
  readonly status: number;
  readonly errors?: Record<string, unknown>[];
  constructor(status: number, message: string, errors?: Record<string, unknown>[]) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

/** GitHub's limit on issue and comment bodies, counted in characters. */
const MAX_BODY_LENGTH = 65536;

export class EmulatorState {
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly teams = new Map<string, TeamRecord>();
  /** token → login. */
  readonly tokens = new Map<string, string>();
  /** `repository_dispatch` events created through the API (a workflow would start on each). */
  readonly dispatches: {
    repo: string;
    eventType: string;
    clientPayload: unknown;
    actor: string;
    at: Date;
  }[] = [];
  readonly now: () => Date;
  private readonly nextId = {
    user: 1_000_001,
    repo: 700_000_001,
    issue: 2_000_000_001,
    comment: 1_800_000_001,
    label: 6_000_000_001,
    reaction: 150_000_001,
    event: 11_000_000_001,
    team: 9_000_001,
  };

  constructor(now: () => Date) {
    this.now = now;
    this.users.set(GITHUB_ACTIONS_BOT.login, { ...GITHUB_ACTIONS_BOT, name: null, createdAt: now() });
  }

  private id(kind: keyof EmulatorState['nextId']): number {
    return this.nextId[kind]++;
  }

  /** The user with this login, registered on first use (bots are logins ending in `[bot]`). */
  user(login: string, type?: UserRecord['type']): UserRecord {
    const key = login.toLowerCase();
    const existing = this.users.get(key);
    if (existing) return existing;
    const user: UserRecord = {
      login,
      id: this.id('user'),
      type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
      name: null,
      createdAt: this.now(),
    };
    this.users.set(key, user);
    return user;
  }

  findUser(login: string): UserRecord | undefined {
    return this.users.get(login.toLowerCase());
  }

  /** The repository `owner/name`, created on first use (an organisation-owned, private one). */
  repo(
    full: string,
    options: { visibility?: 'public' | 'private'; ownerType?: 'User' | 'Organization' } = {},
  ): RepoRecord {
    const key = full.toLowerCase();
    const existing = this.repos.get(key);
    if (existing) {
      if (options.visibility) existing.visibility = options.visibility;
      return existing;
    }
    const [ownerLogin, name] = full.split('/');
    if (!ownerLogin || !name) throw new Error(`Repository must be "owner/name", got "${full}"`);
    const repo: RepoRecord = {
      id: this.id('repo'),
      owner: this.user(ownerLogin, options.ownerType ?? 'Organization'),
      name,
      visibility: options.visibility ?? 'private',
      defaultBranch: 'main',
      issues: new Map(),
      comments: new Map(),
      labels: new Map(),
      events: [],
      files: new Map([['main', new Map()]]),
      roles: new Map(),
      members: new Set(),
      nextIssueNumber: 1,
      contentsPermission: 'read',
      commits: [],
    };
    this.repos.set(key, repo);
    return repo;
  }

  findRepo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  findRepoById(id: number): RepoRecord | undefined {
    return [...this.repos.values()].find((repo) => repo.id === id);
  }

  setRole(repo: RepoRecord, login: string, role: Role): void {
    this.user(login);
    repo.roles.set(login.toLowerCase(), role);
  }

  team(org: string, slug: string): TeamRecord {
    const key = `${org}/${slug}`.toLowerCase();
    let team = this.teams.get(key);
    if (!team) {
      team = { id: this.id('team'), org, slug, members: new Map() };
      this.teams.set(key, team);
    }
    return team;
  }

  /** The label named `name` (any case), created the way GitHub creates an unknown label. */
  label(
    repo: RepoRecord,
    name: string,
    color = IMPLICIT_LABEL_COLOR,
    description: string | null = null,
  ): LabelRecord {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      label = { id: this.id('label'), name, color, description };
      repo.labels.set(key, label);
    }
    return label;
  }

  createLabel(repo: RepoRecord, name: string, color?: string, description?: string | null): LabelRecord {
    if (repo.labels.has(name.toLowerCase())) {
      throw new GitHubError(422, 'Validation Failed', [
        { resource: 'Label', code: 'already_exists', field: 'name' },
      ]);
    }
    return this.label(repo, name, (color ?? IMPLICIT_LABEL_COLOR).replace(/^#/, ''), description ?? null);
  }

  createIssue(repo: RepoRecord, actor: UserRecord, input: IssueInput): IssueRecord {
    checkBody('Issue', input.body ?? '');
    if (input.title.trim() === '') {
      throw new GitHubError(422, 'Validation Failed', [
        { resource: 'Issue', code: 'missing_field', field: 'title' },
      ]);
    }
    const at = input.createdAt ?? this.now();
    const issue: IssueRecord = {
      id: this.id('issue'),
      number: repo.nextIssueNumber++,
      title: input.title,
      body: input.body ?? null,
      user: input.user ? this.user(input.user) : actor,
      state: 'open',
      stateReason: null,
      labels: [],
      assignees: [],
      locked: false,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      closedBy: null,
      reactions: [],
    };
    repo.issues.set(issue.number, issue);
    this.applyLabels(repo, issue, actor, input.labels ?? [], at);
    this.applyAssignees(repo, issue, actor, input.assignees ?? [], at);
    if (input.state === 'closed') this.changeState(repo, issue, actor, 'closed', 'completed', at);
    issue.updatedAt = at;
    return issue;
  }

  updateIssue(repo: RepoRecord, issue: IssueRecord, actor: UserRecord, patch: IssuePatch): IssueRecord {
    const at = this.now();
    if (patch.body !== undefined) checkBody('Issue', patch.body ?? '');
    if (patch.title !== undefined && patch.title !== issue.title) {
      if (patch.title.trim() === '') {
        throw new GitHubError(422, 'Validation Failed', [
          { resource: 'Issue', code: 'missing_field', field: 'title' },
        ]);
      }
      this.record(repo, {
        event: 'renamed',
        issueNumber: issue.number,
        actor,
        createdAt: at,
        rename: { from: issue.title, to: patch.title },
      });
      issue.title = patch.title;
    }
    if (patch.body !== undefined) issue.body = patch.body;
    if (patch.labels !== undefined) this.applyLabels(repo, issue, actor, patch.labels, at);
    if (patch.assignees !== undefined) this.applyAssignees(repo, issue, actor, patch.assignees, at);
    if (patch.state !== undefined || patch.stateReason !== undefined) {
      this.changeState(repo, issue, actor, patch.state ?? issue.state, patch.stateReason, at);
    }
    issue.updatedAt = at;
    return issue;
  }

  /** Adds labels (creating unknown ones on the repository); one `labeled` event per new label. */
  addLabels(repo: RepoRecord, issue: IssueRecord, actor: UserRecord, names: string[]): void {
    const at = this.now();
    for (const name of names) {
      const label = this.label(repo, name);
      const key = label.name.toLowerCase();
      if (issue.labels.includes(key)) continue;
      issue.labels.push(key);
      this.record(repo, {
        event: 'labeled',
        issueNumber: issue.number,
        actor,
        createdAt: at,
        label: { name: label.name, color: label.color },
      });
    }
    issue.updatedAt = at;
  }

  removeLabel(repo: RepoRecord, issue: IssueRecord, actor: UserRecord, name: string): void {
    const key = name.toLowerCase();
    const label = repo.labels.get(key);
    if (!label || !issue.labels.includes(key)) throw new GitHubError(404, 'Label does not exist');
    const at = this.now();
    issue.labels = issue.labels.filter((existing) => existing !== key);
    this.record(repo, {
      event: 'unlabeled',
      issueNumber: issue.number,
      actor,
      createdAt: at,
      label: { name: label.name, color: label.color },
    });
    issue.updatedAt = at;
  }

  /** Replaces the issue's labels: `unlabeled` for each dropped label, `labeled` for each new one. */
  private applyLabels(
    repo: RepoRecord,
    issue: IssueRecord,
    actor: UserRecord,
    names: string[],
    at: Date,
  ): void {
    const wanted = names.map((name) => this.label(repo, name).name.toLowerCase());
    for (const key of issue.labels.filter((existing) => !wanted.includes(existing))) {
      const label = repo.labels.get(key) as LabelRecord;
      this.record(repo, {
        event: 'unlabeled',
        issueNumber: issue.number,
        actor,
        createdAt: at,
        label: { name: label.name, color: label.color },
      });
    }
    for (const key of wanted.filter(
      (name, index) => !issue.labels.includes(name) && wanted.indexOf(name) === index,
    )) {
      const label = repo.labels.get(key) as LabelRecord;
      this.record(repo, {
        event: 'labeled',
        issueNumber: issue.number,
        actor,
        createdAt: at,
        label: { name: label.name, color: label.color },
      });
    }
    issue.labels = [...new Set(wanted)];
  }

  setLabels(repo: RepoRecord, issue: IssueRecord, actor: UserRecord, names: string[]): void {
    const at = this.now();
    this.applyLabels(repo, issue, actor, names, at);
    issue.updatedAt = at;
  }

  /**
   * Makes the issue whose id is `subIssueId` a sub-issue of `parent`, as GitHub does: an issue has
   * one parent (unless `replaceParent`), is never its own, appears once, and a parent holds at
   * most 100.
   */
  addSubIssue(
    repo: RepoRecord,
    parent: IssueRecord,
    subIssueId: number,
    replaceParent: boolean,
  ): IssueRecord {
    const child = [...repo.issues.values()].find((issue) => issue.id === subIssueId);
    if (!child) throw new GitHubError(404, 'Not Found');
    const invalid = (message: string) =>
      new GitHubError(422, 'Validation Failed', [
        { resource: 'Issue', code: 'custom', field: 'sub_issue_id', message },
      ]);
    if (child.number === parent.number) throw invalid('An issue cannot be its own sub-issue');
    const children = parent.subIssues ?? [];
    if (children.includes(child.number)) throw invalid('Issue may not contain duplicate sub-issues');
    if (children.length >= 100) throw invalid('Parent issue has reached the maximum number of sub-issues');
    if (child.parent !== undefined && !replaceParent) throw invalid('Sub issue may only have one parent');
    if (child.parent !== undefined) {
      const previous = repo.issues.get(child.parent);
      if (previous)
        previous.subIssues = (previous.subIssues ?? []).filter((number) => number !== child.number);
    }
    parent.subIssues = [...children, child.number];
    child.parent = parent.number;
    parent.updatedAt = this.now();
    return child;
  }

  addAssignees(repo: RepoRecord, issue: IssueRecord, actor: UserRecord, logins: string[]): void {
    const current = issue.assignees.map((user) => user.login);
    this.applyAssignees(repo, issue, actor, [...current, ...logins], this.now());
  }

  removeAssignees(repo: RepoRecord, issue: IssueRecord, actor: UserRecord, logins: string[]): void {
    const drop = new Set(logins.map((login) => login.toLowerCase()));
    const kept = issue.assignees
      .filter((user) => !drop.has(user.login.toLowerCase()))
      .map((user) => user.login);
    this.applyAssignees(repo, issue, actor, kept, this.now());
  }

  private applyAssignees(
    repo: RepoRecord,
    issue: IssueRecord,
    actor: UserRecord,
    logins: string[],
    at: Date,
  ): void {
    const wanted = [...new Map(logins.map((login) => [login.toLowerCase(), this.user(login)])).values()];
    const before = new Set(issue.assignees.map((user) => user.login.toLowerCase()));
    const after = new Set(wanted.map((user) => user.login.toLowerCase()));
    for (const user of issue.assignees.filter((user) => !after.has(user.login.toLowerCase()))) {
      this.record(repo, {
        event: 'unassigned',
        issueNumber: issue.number,
        actor,
        createdAt: at,
        assignee: user,
      });
    }
    for (const user of wanted.filter((user) => !before.has(user.login.toLowerCase()))) {
      this.record(repo, {
        event: 'assigned',
        issueNumber: issue.number,
        actor,
        createdAt: at,
        assignee: user,
      });
    }
    issue.assignees = wanted;
    issue.updatedAt = at;
  }

  /**
   * Closing sets `closed_at`, `closed_by` and a `state_reason` (`completed` unless given); reopening
   * clears them and sets `state_reason: reopened`. Each transition records its issue event.
   */
  private changeState(
    repo: RepoRecord,
    issue: IssueRecord,
    actor: UserRecord,
    state: 'open' | 'closed',
    reason: IssueRecord['stateReason'] | undefined,
    at: Date,
  ): void {
    if (state === issue.state) {
      if (reason !== undefined && state === 'closed') issue.stateReason = reason;
      return;
    }
    issue.state = state;
    if (state === 'closed') {
      issue.stateReason = reason ?? 'completed';
      issue.closedAt = at;
      issue.closedBy = actor;
    } else {
      issue.stateReason = 'reopened';
      issue.closedAt = null;
      issue.closedBy = null;
    }
    this.record(repo, {
      event: state === 'closed' ? 'closed' : 'reopened',
      issueNumber: issue.number,
      actor,
      createdAt: at,
      stateReason: issue.stateReason,
    });
  }

  addComment(
    repo: RepoRecord,
    issue: IssueRecord,
    user: UserRecord,
    body: string,
    options: { createdAt?: Date; authorAssociation?: CommentRecord['authorAssociation'] } = {},
  ): CommentRecord {
    checkBody('IssueComment', body);
    const at = options.createdAt ?? this.now();
    const comment: CommentRecord = {
      id: this.id('comment'),
      issueNumber: issue.number,
      user,
      body,
      createdAt: at,
      updatedAt: at,
      authorAssociation: options.authorAssociation,
      reactions: [],
    };
    repo.comments.set(comment.id, comment);
    if (at > issue.updatedAt) issue.updatedAt = at;
    return comment;
  }

  updateComment(comment: CommentRecord, body: string): CommentRecord {
    checkBody('IssueComment', body);
    comment.body = body;
    comment.updatedAt = this.now();
    return comment;
  }

  /**
   * A user's reaction. GitHub keeps one reaction per user and content: reacting again returns the
   * existing reaction (`created: false`, answered with 200 instead of 201).
   */
  react(
    target: { reactions: ReactionRecord[] },
    user: UserRecord,
    content: ReactionContent,
  ): { reaction: ReactionRecord; created: boolean } {
    const existing = target.reactions.find(
      (reaction) => reaction.user === user && reaction.content === content,
    );
    if (existing) return { reaction: existing, created: false };
    const reaction: ReactionRecord = { id: this.id('reaction'), content, user, createdAt: this.now() };
    target.reactions.push(reaction);
    return { reaction, created: true };
  }

  putFile(repo: RepoRecord, path: string, content: Buffer, ref = repo.defaultBranch): void {
    let files = repo.files.get(ref);
    if (!files) {
      files = new Map();
      repo.files.set(ref, files);
    }
    files.set(normalisePath(path), content);
  }

  private record(repo: RepoRecord, event: NewIssueEvent): void {
    repo.events.push({ ...event, id: this.id('event') });
  }
}

type NewIssueEvent = IssueEventRecord extends infer Event
  ? Event extends IssueEventRecord
    ? Omit<Event, 'id'>
    : never
  : never;

export function normalisePath(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** GitHub refuses bodies over 65536 characters with 422 (`body is too long (maximum is 65536 characters)`). */
function checkBody(resource: string, body: string): void {
  if ([...body].length > MAX_BODY_LENGTH) {
    throw new GitHubError(422, 'Validation Failed', [
      {
        resource,
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_BODY_LENGTH} characters)`,
      },
    ]);
  }
}
