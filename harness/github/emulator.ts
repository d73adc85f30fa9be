/**
 * A stateful GitHub REST API on 127.0.0.1 for tests, held to GitHub's own OpenAPI description:
 * every request and every response is validated, and a mismatch is recorded in `violations` and
 * fails the request loudly. Tests seed and inspect state through the methods of `GitHubEmulator`
 * and inject faults (server errors, rate limits, delays) with `inject`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  fullName,
  renderComment,
  renderIssue,
  renderIssueEvent,
  renderLabel,
  renderReaction,
  issueLabels,
  type CommentRecord,
  type GitHubIssue,
  type GitHubIssueComment,
  type GitHubIssueEvent,
  type GitHubLabel,
  type GitHubReaction,
  type IssueRecord,
  type ReactionContent,
  type RepoRecord,
  type Role,
  type Urls,
  type UserRecord,
} from './github-objects.ts';
import {
  EmulatorState,
  GITHUB_ACTIONS_BOT,
  GitHubError,
  type IssueInput,
  type IssuePatch,
  type TeamMembershipSetting,
} from './emulator-state.ts';
import {
  ROUTES,
  type AppIdentity,
  type RateLimitWindow,
  type RouteContext,
  type RouteResult,
} from './emulator-routes.ts';
import { FaultQueue, faultResponse, type Fault, type InjectedFault } from './faults.ts';
import { sharedOpenApiValidator, type OpenApiValidator, type OperationMatch } from './openapi-validator.ts';

export interface EmulatorOptions {
  /** The clock for every timestamp the emulator writes (default: real time). */
  now?: () => Date;
  /** The repository the shortcut methods (`createIssue`, ...) act on. Default `octo-org/incidents`. */
  repo?: string;
  /** Visibility of that repository (decides what non-collaborators' permission is). Default private. */
  visibility?: 'public' | 'private';
  /** token → login. When given, any other token is refused with 401 "Bad credentials". */
  tokens?: Record<string, string>;
  /** Who an unmapped token authenticates as. Default `github-actions[bot]` (GITHUB_TOKEN). */
  identity?: string;
  /** `x-ratelimit-limit` of the core window; once used up, requests get GitHub's 403. Default 5000. */
  rateLimit?: number;
  /**
   * How pagination links name a repository: GitHub writes `/repositories/{id}/…` (default); `repos`
   * writes `/repos/{owner}/{repo}/…`.
   */
  linkStyle?: 'repositories' | 'repos';
  /** The GitHub App `GET /app` describes for JWT-authenticated requests. */
  app?: Partial<AppIdentity>;
  /** Where `html_url`s point. Default https://github.com. */
  webUrl?: string;
}

export interface LoggedRequest {
  method: string;
  /** The path as requested (before the `/repositories/{id}` alias is resolved). */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  operationId?: string;
  login?: string;
  /** The kind of injected fault that answered (or delayed) the request. */
  fault?: Fault['kind'];
  time: Date;
  durationMs: number;
}

export interface Violation {
  /** `request`: the client broke the description; `response`: the emulator did. */
  kind: 'request' | 'response';
  method: string;
  path: string;
  operationId?: string;
  status?: number;
  errors: string[];
  message: string;
}

const DEFAULT_REPO = 'octo-org/incidents';
const DEFAULT_AUTHOR = 'octocat';
const REQUEST_MISMATCH = "Emulator: request does not match GitHub's OpenAPI description";
const RESPONSE_MISMATCH = "Emulator: response does not match GitHub's OpenAPI description";
const DEFAULT_APP: AppIdentity = {
  id: 1_234_567,
  slug: 'incident-issueops',
  name: 'Incident IssueOps',
  owner: 'octo-org',
};

/** Seeding and inspection of one repository, in the shapes the REST API returns. */
export class SeededRepo {
  readonly record: RepoRecord;
  private readonly state: EmulatorState;
  private readonly urls: Urls;

  constructor(state: EmulatorState, urls: Urls, record: RepoRecord) {
    this.state = state;
    this.urls = urls;
    this.record = record;
  }

  get fullName(): string {
    return fullName(this.record);
  }

  get id(): number {
    return this.record.id;
  }

  /** Opens an issue (author `octocat` unless `user` is given); labels and assignees record events. */
  createIssue(input: IssueInput): GitHubIssue {
    const author = this.state.user(input.user ?? DEFAULT_AUTHOR);
    return this.render(this.state.createIssue(this.record, author, { ...input, user: author.login }));
  }

  getIssue(issueNumber: number): GitHubIssue | undefined {
    const issue = this.record.issues.get(issueNumber);
    return issue ? this.render(issue) : undefined;
  }

  /** The sub-issues of an issue, in the order they were added. */
  subIssuesOf(issueNumber: number): GitHubIssue[] {
    const parent = this.record.issues.get(issueNumber);
    return (parent?.subIssues ?? []).flatMap((number) => {
      const child = this.record.issues.get(number);
      return child ? [this.render(child)] : [];
    });
  }

  /** Every issue, oldest first. */
  listIssues(): GitHubIssue[] {
    return [...this.record.issues.values()].map((issue) => this.render(issue));
  }

  updateIssue(issueNumber: number, patch: IssuePatch, as = DEFAULT_AUTHOR): GitHubIssue {
    return this.render(
      this.state.updateIssue(this.record, this.issue(issueNumber), this.state.user(as), patch),
    );
  }

  addLabels(issueNumber: number, labels: string[], as = DEFAULT_AUTHOR): string[] {
    this.state.addLabels(this.record, this.issue(issueNumber), this.state.user(as), labels);
    return this.labelsOn(issueNumber);
  }

  labelsOn(issueNumber: number): string[] {
    return issueLabels(this.record, this.issue(issueNumber)).map((label) => label.name);
  }

  createLabel(name: string, color?: string, description?: string): GitHubLabel {
    return renderLabel(this.urls, this.record, this.state.createLabel(this.record, name, color, description));
  }

  addComment(
    issueNumber: number,
    comment: {
      user?: string;
      body: string;
      createdAt?: Date;
      authorAssociation?: CommentRecord['authorAssociation'];
    },
  ): GitHubIssueComment {
    const created = this.state.addComment(
      this.record,
      this.issue(issueNumber),
      this.state.user(comment.user ?? DEFAULT_AUTHOR),
      comment.body,
      { createdAt: comment.createdAt, authorAssociation: comment.authorAssociation },
    );
    return renderComment(this.urls, this.record, created);
  }

  /** `body` replaces the comment's text; its updated_at moves to now, as on GitHub. */
  editComment(commentId: number, body: string): GitHubIssueComment {
    return renderComment(this.urls, this.record, this.state.updateComment(this.comment(commentId), body));
  }

  /**
   * Deletes a comment, as anyone with write access can, or as another workflow can with its own
   * GITHUB_TOKEN (which posts, edits and deletes as github-actions[bot] too).
   */
  deleteComment(commentId: number): void {
    this.comment(commentId);
    this.record.comments.delete(commentId);
  }

  /** Removes `user`'s reaction (a workflow of its own can remove the bot's, as the bot). */
  unreact(commentId: number, user: string, content: ReactionContent): boolean {
    const comment = this.comment(commentId);
    const before = comment.reactions.length;
    comment.reactions = comment.reactions.filter(
      (reaction) => !(reaction.user.login === user && reaction.content === content),
    );
    return comment.reactions.length < before;
  }

  getComment(commentId: number): GitHubIssueComment | undefined {
    const comment = this.record.comments.get(commentId);
    return comment ? renderComment(this.urls, this.record, comment) : undefined;
  }

  listComments(issueNumber: number): GitHubIssueComment[] {
    return [...this.record.comments.values()]
      .filter((comment) => comment.issueNumber === issueNumber)
      .map((comment) => renderComment(this.urls, this.record, comment));
  }

  react(commentId: number, user: string, content: ReactionContent): GitHubReaction {
    const { reaction } = this.state.react(this.comment(commentId), this.state.user(user), content);
    return renderReaction(this.urls, reaction);
  }

  reactionsFor(commentId: number): GitHubReaction[] {
    return this.comment(commentId).reactions.map((reaction) => renderReaction(this.urls, reaction));
  }

  issueReactions(issueNumber: number): GitHubReaction[] {
    return this.issue(issueNumber).reactions.map((reaction) => renderReaction(this.urls, reaction));
  }

  eventsFor(issueNumber: number): GitHubIssueEvent[] {
    return this.record.events
      .filter((event) => event.issueNumber === issueNumber)
      .map((event) => renderIssueEvent(this.urls, this.record, event));
  }

  /** The user's role on the repository (`none` = explicitly no access). */
  setPermission(user: string, role: Role): void {
    this.state.setRole(this.record, user, role);
  }

  /** Makes the user a member of the owning organisation (`author_association: MEMBER`). */
  addMember(user: string): void {
    this.state.user(user);
    this.record.members.add(user.toLowerCase());
  }

  putFile(path: string, content: string | Buffer, options: { ref?: string } = {}): void {
    this.state.putFile(this.record, path, Buffer.from(content), options.ref);
  }

  setVisibility(visibility: 'public' | 'private'): void {
    this.record.visibility = visibility;
  }

  /** The workflow's `permissions: contents:` for its GITHUB_TOKEN (read by default). */
  setContentsPermission(permission: 'read' | 'write'): void {
    this.record.contentsPermission = permission;
  }

  /** A file as a ref holds it now, or undefined. */
  file(path: string, ref = this.record.defaultBranch): string | undefined {
    return this.record.files.get(ref)?.get(path)?.toString('utf8');
  }

  /** The commits made through the contents API, oldest first. */
  commits(): RepoRecord['commits'] {
    return [...this.record.commits];
  }

  private render(issue: IssueRecord): GitHubIssue {
    return renderIssue(this.urls, this.record, issue);
  }

  private issue(issueNumber: number): IssueRecord {
    const issue = this.record.issues.get(issueNumber);
    if (!issue) throw new Error(`No issue #${issueNumber} in ${this.fullName}`);
    return issue;
  }

  private comment(commentId: number): CommentRecord {
    const comment = this.record.comments.get(commentId);
    if (!comment) throw new Error(`No comment ${commentId} in ${this.fullName}`);
    return comment;
  }
}

export class GitHubEmulator {
  /** Base URL to give Octokit as `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly state: EmulatorState;
  readonly requests: LoggedRequest[] = [];
  readonly violations: Violation[] = [];
  /** `repository_dispatch` events created through the API, oldest first. */
  get dispatches(): EmulatorState['dispatches'] {
    return this.state.dispatches;
  }
  private readonly server: Server;
  private readonly urls: Urls;
  private readonly options: EmulatorOptions;
  private readonly validator: OpenApiValidator;
  private readonly faults = new FaultQueue();
  private readonly rateLimit: RateLimitWindow;
  private readonly defaultRepo: SeededRepo;
  private requestCounter = 0;

  constructor(server: Server, url: string, options: EmulatorOptions) {
    this.server = server;
    this.url = url;
    this.options = options;
    this.urls = { api: url, web: options.webUrl ?? 'https://github.com' };
    this.state = new EmulatorState(options.now ?? (() => new Date()));
    for (const [token, login] of Object.entries(options.tokens ?? {})) this.addToken(token, login);
    this.validator = sharedOpenApiValidator();
    const limit = options.rateLimit ?? 5000;
    this.rateLimit = { limit, remaining: limit, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
    this.defaultRepo = this.repo(options.repo ?? DEFAULT_REPO, { visibility: options.visibility });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((thrown: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ message: `Emulator crashed: ${String(thrown)}` }));
      });
    });
  }

  /** The repository `owner/name` (created, empty and private, on first use). */
  repo(name?: string, options: { visibility?: 'public' | 'private' } = {}): SeededRepo {
    if (name === undefined) return this.defaultRepo;
    return new SeededRepo(this.state, this.urls, this.state.repo(name, options));
  }

  // Shortcuts on the default repository.
  createIssue(input: IssueInput): GitHubIssue {
    return this.defaultRepo.createIssue(input);
  }
  getIssue(issueNumber: number): GitHubIssue | undefined {
    return this.defaultRepo.getIssue(issueNumber);
  }
  subIssuesOf(issueNumber: number): GitHubIssue[] {
    return this.defaultRepo.subIssuesOf(issueNumber);
  }
  listIssues(): GitHubIssue[] {
    return this.defaultRepo.listIssues();
  }
  addComment(issueNumber: number, comment: Parameters<SeededRepo['addComment']>[1]): GitHubIssueComment {
    return this.defaultRepo.addComment(issueNumber, comment);
  }
  listComments(issueNumber: number): GitHubIssueComment[] {
    return this.defaultRepo.listComments(issueNumber);
  }
  reactionsFor(commentId: number): GitHubReaction[] {
    return this.defaultRepo.reactionsFor(commentId);
  }
  eventsFor(issueNumber: number): GitHubIssueEvent[] {
    return this.defaultRepo.eventsFor(issueNumber);
  }
  setPermission(user: string, role: Role): void {
    this.defaultRepo.setPermission(user, role);
  }
  putFile(path: string, content: string | Buffer, options: { ref?: string } = {}): void {
    this.defaultRepo.putFile(path, content, options);
  }

  /**
   * The user's membership of `org/team` as `GET /orgs/{org}/teams/{team}/memberships/{user}` answers
   * it: `active`/`pending` (role `member`), a full `{state, role}`, `absent` (404) or `forbidden`
   * (403, a token that may not read the organisation). `user` `*` stands for everyone not listed.
   */
  setTeamMember(
    org: string,
    team: string,
    user: string,
    membership: 'active' | 'pending' | TeamMembershipSetting,
  ): void {
    const setting: TeamMembershipSetting =
      membership === 'active' || membership === 'pending'
        ? { state: membership, role: 'member' }
        : membership;
    if (user !== '*') this.state.user(user);
    this.state.team(org, team).members.set(user.toLowerCase(), setting);
  }

  /** Requests sent with `token` authenticate as `login`. */
  addToken(token: string, login: string): void {
    this.state.user(login);
    this.state.tokens.set(token, login);
  }

  /** Registers a user (or bot / organisation) so it exists for the API. */
  user(login: string, type?: UserRecord['type']): UserRecord {
    return this.state.user(login, type);
  }

  /** Makes the next `times` (default 1) requests matching the fault's filter fail or slow down. */
  inject(fault: Fault): InjectedFault {
    return this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Logged requests, optionally only those of one operation. */
  requestsFor(operationId?: string): LoggedRequest[] {
    return operationId
      ? this.requests.filter((request) => request.operationId === operationId)
      : this.requests;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  /** One request's way through: authenticate, check, fault, answer, check the answer. */
  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const exchange = new Exchange(request, response, this.url, this.state.now(), this.nextRequestId(), () =>
      this.standardHeaders(),
    );
    this.requests.push(exchange.entry);

    const token = parseToken(request.headers.authorization);
    if (!token) return exchange.error(401, 'Requires authentication');
    const login =
      this.state.tokens.get(token) ??
      (this.options.tokens ? undefined : (this.options.identity ?? GITHUB_ACTIONS_BOT.login));
    if (!login) return exchange.error(401, 'Bad credentials');
    exchange.entry.login = login;

    const path = this.resolveRepositoriesAlias(exchange.url.pathname);
    const checked = this.checkRequest(exchange, path, raw);
    if (!checked) return;
    const { operation, body } = checked;

    if (await this.applyFault(exchange, path, operation.operationId)) return;
    if (this.spendRateLimit(exchange, operation.operationId)) return;

    const context: RouteContext = {
      state: this.state,
      urls: this.urls,
      params: operation.pathParams,
      query: exchange.url.searchParams,
      body,
      actor: this.state.user(login),
      token,
      accept: request.headers.accept ?? '',
      rateLimit: this.rateLimit,
      linkBase: (repo) => this.linkBase(repo, path),
      app: { ...DEFAULT_APP, ...this.options.app },
    };
    const result = this.run(exchange, operation, context);
    if (result) this.answer(exchange, operation, result);
  }

  /** Parses the JSON body and holds the request to the description; answers 400 when it breaks it. */
  private checkRequest(
    exchange: Exchange,
    path: string,
    raw: Buffer,
  ): { operation: OperationMatch; body: unknown } | undefined {
    const { method, entry } = exchange;
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        this.violation({ kind: 'request', method, path: entry.path, errors: ['request body is not JSON'] });
        exchange.error(400, 'Problems parsing JSON');
        return undefined;
      }
    }
    entry.body = body;
    const check = this.validator.validateRequest({ method, path, query: exchange.url.searchParams, body });
    const operation = check.operation;
    entry.operationId = operation?.operationId;
    const contentType = exchange.request.headers['content-type'] ?? '';
    if (body !== undefined && !contentType.includes('json')) {
      check.errors.push(`content-type '${contentType}' is not JSON`);
    }
    if (check.errors.length === 0 && operation) return { operation, body };
    const { errors } = check;
    this.violation({
      kind: 'request',
      method,
      path: entry.path,
      operationId: operation?.operationId,
      errors,
    });
    exchange.error(400, `${REQUEST_MISMATCH}: ${errors.join('; ')}`, operation?.documentationUrl, { errors });
    return undefined;
  }

  /** Applies an injected fault; true when the fault answered the request. */
  private async applyFault(exchange: Exchange, path: string, operationId: string): Promise<boolean> {
    const fault = this.faults.take(exchange.method, [exchange.entry.path, path], operationId);
    if (!fault) return false;
    exchange.entry.fault = fault.kind;
    if (fault.kind === 'delay') {
      await sleep(fault.ms);
      return false;
    }
    const faulted = faultResponse(fault, exchange.requestId, Math.floor(Date.now() / 1000));
    exchange.send(faulted.status, faulted.body, faulted.headers);
    return true;
  }

  /** Counts the request against the core window; true when it was exhausted (GitHub's 403). */
  private spendRateLimit(exchange: Exchange, operationId: string): boolean {
    // Asking for the rate limit does not count against it.
    if (operationId === 'rate-limit/get') return false;
    if (this.rateLimit.remaining === 0) {
      const exhausted = faultResponse(
        { kind: 'primary-rate-limit' },
        exchange.requestId,
        Math.floor(Date.now() / 1000),
      );
      exchange.send(exhausted.status, exhausted.body, {
        ...exhausted.headers,
        'x-ratelimit-reset': String(this.rateLimit.reset),
      });
      return true;
    }
    this.rateLimit.remaining -= 1;
    this.rateLimit.used += 1;
    return false;
  }

  /** The handler's answer; GitHub errors become error bodies, anything else a recorded 500. */
  private run(exchange: Exchange, operation: OperationMatch, context: RouteContext): RouteResult | undefined {
    try {
      const handler = ROUTES[operation.operationId];
      if (!handler) throw new Error(`no handler for ${operation.operationId}`);
      return handler(context);
    } catch (thrown) {
      if (thrown instanceof GitHubError) {
        const errors = thrown.errors ? { errors: thrown.errors } : {};
        return {
          status: thrown.status,
          body: {
            message: thrown.message,
            ...errors,
            documentation_url: operation.documentationUrl,
            status: String(thrown.status),
          },
        };
      }
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      this.violation({
        kind: 'response',
        method: exchange.method,
        path: exchange.entry.path,
        operationId: operation.operationId,
        status: 500,
        errors: [`emulator failed: ${message}`],
      });
      exchange.error(500, `Emulator failed: ${message}`, operation.documentationUrl);
      return undefined;
    }
  }

  /** Sends the result once it matches the description; otherwise records the emulator's fault, 500. */
  private answer(exchange: Exchange, operation: OperationMatch, result: RouteResult): void {
    if (!result.raw) {
      const errors = this.validator.validateResponse(operation.operationId, result.status, result.body);
      if (errors.length > 0) {
        this.violation({
          kind: 'response',
          method: exchange.method,
          path: exchange.entry.path,
          operationId: operation.operationId,
          status: result.status,
          errors,
        });
        const summary = `${operation.operationId} ${result.status}`;
        exchange.error(
          500,
          `${RESPONSE_MISMATCH} (${summary}): ${errors.join('; ')}`,
          operation.documentationUrl,
        );
        return;
      }
    }
    exchange.send(result.status, result.body, result.headers, result.raw);
  }

  private violation(violation: Omit<Violation, 'message'>): void {
    const where = `${violation.method} ${violation.path}${violation.operationId ? ` (${violation.operationId})` : ''}`;
    const message = `${violation.kind === 'request' ? 'request' : 'response'} ${where}: ${violation.errors.join('; ')}`;
    this.violations.push({ ...violation, message });
  }

  /** GitHub serves `/repositories/{id}/…` (the form its pagination links use) like `/repos/{owner}/{repo}/…`. */
  private resolveRepositoriesAlias(path: string): string {
    const alias = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    if (!alias) return path;
    const repo = this.state.findRepoById(Number(alias[1]));
    return repo ? `/repos/${fullName(repo)}${alias[2] ?? ''}` : path;
  }

  private linkBase(repo: RepoRecord, path: string): string {
    const rest = path.split('/').slice(4).join('/');
    const prefix =
      this.options.linkStyle === 'repos' ? `/repos/${fullName(repo)}` : `/repositories/${repo.id}`;
    return `${this.url}${prefix}/${rest}`;
  }

  private standardHeaders(): Record<string, string> {
    const { limit, remaining, used, reset } = this.rateLimit;
    return {
      server: 'github.com',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
      'x-content-type-options': 'nosniff',
    };
  }

  /** IDs shaped like GitHub's (`C0DE:1A2B3:4C5D6E:7F8091:6553F1A2`). */
  private nextRequestId(): string {
    this.requestCounter += 1;
    const n = this.requestCounter;
    const hex = (value: number, width: number): string =>
      value.toString(16).toUpperCase().padStart(width, '0');
    return `${hex(0xc0de + n, 4)}:${hex(0x1a2b3 + n * 7, 5)}:${hex(0x4c5d6e + n * 13, 6)}:${hex(0x7f8091 + n * 17, 6)}:${hex(Math.floor(Date.now() / 1000), 8)}`;
  }
}

/** One request and its answer: the log entry, and sending with GitHub's headers. */
class Exchange {
  readonly entry: LoggedRequest;
  readonly url: URL;
  readonly method: string;
  readonly request: IncomingMessage;
  readonly requestId: string;
  private readonly response: ServerResponse;
  private readonly startedAt = performance.now();
  private readonly headers: () => Record<string, string>;

  constructor(
    request: IncomingMessage,
    response: ServerResponse,
    baseUrl: string,
    time: Date,
    requestId: string,
    headers: () => Record<string, string>,
  ) {
    this.request = request;
    this.response = response;
    this.requestId = requestId;
    this.headers = headers;
    this.method = (request.method ?? 'GET').toUpperCase();
    this.url = new URL(request.url ?? '/', baseUrl);
    this.entry = {
      method: this.method,
      path: this.url.pathname,
      query: Object.fromEntries(this.url.searchParams),
      body: undefined,
      status: 0,
      time,
      durationMs: 0,
    };
  }

  send(status: number, body: unknown, headers: Record<string, string> = {}, raw?: RouteResult['raw']): void {
    this.entry.status = status;
    this.entry.durationMs = performance.now() - this.startedAt;
    const payload = raw ? raw.data : Buffer.from(body === undefined ? '' : JSON.stringify(body));
    this.response.writeHead(status, {
      ...this.headers(),
      'x-github-request-id': this.requestId,
      'content-type': raw ? raw.contentType : 'application/json; charset=utf-8',
      'content-length': String(payload.length),
      ...headers,
    });
    this.response.end(payload);
  }

  /** GitHub's error body: `message`, `documentation_url` and the status as a string. */
  error(
    status: number,
    message: string,
    documentationUrl = 'https://docs.github.com/rest',
    extra: Record<string, unknown> = {},
  ): void {
    this.send(status, { message, ...extra, documentation_url: documentationUrl, status: String(status) });
  }
}

/** Starts an emulator on 127.0.0.1 (a free port) and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new GitHubEmulator(server, `http://127.0.0.1:${port}`, options);
}

function parseToken(header: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type { Fault, InjectedFault } from './faults.ts';
export type { IssueInput, IssuePatch, TeamMembershipSetting } from './emulator-state.ts';
export type { Role, ReactionContent } from './github-objects.ts';
