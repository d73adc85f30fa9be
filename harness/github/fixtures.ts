/**
 * Event payloads for the action, built from GitHub's real examples (`@octokit/webhooks-examples`)
 * with only the fields a test cares about overridden, then validated against GitHub's official
 * webhook schemas (`webhook-schemas.json`, cut from `@octokit/openapi-webhooks`). A payload that
 * does not match throws, naming the schema and the offending fields.
 */
import { createRequire } from 'node:module';
import { nodeId, renderUser, type GitHubIssue, type UserRecord } from './github-objects.ts';
import {
  createAjv,
  formatAjvErrors,
  isJsonObject,
  readSiblingJson,
  toJsonSchema,
  type Json,
  type JsonObject,
  type ValidateFunction,
} from './schema-tools.ts';

export type WebhookEventName =
  | 'issue_comment.created'
  | 'issue_comment.edited'
  | 'issues.labeled'
  | 'issues.unlabeled'
  | 'issues.closed'
  | 'issues.reopened'
  | 'repository_dispatch';

export type UserInput = string | { login: string; id?: number; type?: UserRecord['type'] };
export type LabelInput = string | { name: string; color?: string; description?: string | null; id?: number };

export interface RepositoryInput {
  owner: string;
  name: string;
  id?: number;
  private?: boolean;
  /** An organisation-owned repository's payloads also carry `organization`. Default Organization. */
  ownerType?: 'User' | 'Organization';
}

export interface IssueFixtureInput {
  number?: number;
  id?: number;
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  stateReason?: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  labels?: LabelInput[];
  user?: UserInput;
  assignees?: UserInput[];
  createdAt?: string;
  updatedAt?: string;
  closedAt?: string | null;
  authorAssociation?: string;
}

export interface CommentFixtureInput {
  id?: number;
  body: string;
  user?: UserInput;
  createdAt?: string;
  updatedAt?: string;
  authorAssociation?: string;
}

interface CommonInput {
  issue?: IssueFixtureInput;
  repository?: RepositoryInput;
  /** Who caused the event. Default: the comment's author, else the issue's author. */
  sender?: UserInput;
  /** Present when the event is delivered to a GitHub App installation. Absent by default. */
  installation?: { id: number };
  /** Deep-merged into the payload last (objects merge, arrays and values replace), then validated. */
  extra?: JsonObject;
}

export interface PayloadUser {
  login: string;
  id: number;
  type: string;
}

export interface PayloadLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface PayloadRepository {
  id: number;
  name: string;
  full_name: string;
  private: boolean;
  owner: PayloadUser;
  html_url: string;
}

export interface PayloadIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason?: string | null;
  labels: PayloadLabel[];
  user: PayloadUser;
  assignees: PayloadUser[];
  html_url: string;
  closed_at: string | null;
}

export interface PayloadComment {
  id: number;
  body: string;
  user: PayloadUser;
  html_url: string;
  author_association: string;
  created_at: string;
}

export interface IssuesPayload {
  action: 'labeled' | 'unlabeled' | 'closed' | 'reopened';
  issue: PayloadIssue;
  label?: PayloadLabel;
  repository: PayloadRepository;
  sender: PayloadUser;
}

export interface IssueCommentPayload {
  action: 'created' | 'edited';
  issue: PayloadIssue;
  comment: PayloadComment;
  changes?: { body?: { from: string } };
  repository: PayloadRepository;
  sender: PayloadUser;
}

export interface SchedulePayload {
  schedule: string;
  repository?: PayloadRepository;
  workflow?: string;
}

/** What a workflow run sees: `GITHUB_EVENT_NAME` and the JSON in `GITHUB_EVENT_PATH`. */
export interface WebhookFixture<Payload> {
  eventName: 'issues' | 'issue_comment' | 'schedule' | 'repository_dispatch';
  payload: Payload;
}

const GITHUB = { api: 'https://api.github.com', web: 'https://github.com' };
const DEFAULT_REPOSITORY: Required<RepositoryInput> = {
  owner: 'octo-org',
  name: 'incidents',
  // The id the emulator gives its first repository, so default payloads and emulator agree.
  id: 700_000_001,
  private: true,
  ownerType: 'Organization',
};
const DEFAULT_TIME = '2025-01-01T12:00:00Z';
const KNOWN_USER_IDS: Record<string, number> = { 'github-actions[bot]': 41898282, octocat: 583231 };

// ---------------------------------------------------------------------------------------------
// Schemas and examples

const SCHEMAS_ID = 'https://emulator.invalid/github-webhook-schemas.json';
const schemaDocument = readSiblingJson('webhook-schemas.json');
const schemaEvents = schemaDocument['x-events'] as Record<WebhookEventName, string>;
const ajv = createAjv();
ajv.addSchema(toJsonSchema({ ...schemaDocument, $id: SCHEMAS_ID }, SCHEMAS_ID) as JsonObject);
const validators = new Map<WebhookEventName, ValidateFunction>();

function validatorFor(event: WebhookEventName): ValidateFunction {
  let validate = validators.get(event);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SCHEMAS_ID}#/components/schemas/${schemaEvents[event]}` });
    validators.set(event, validate);
  }
  return validate;
}

/** Throws, listing what is wrong, unless `payload` matches GitHub's schema for `event`. */
export function assertValidWebhook(event: WebhookEventName, payload: unknown): void {
  const validate = validatorFor(event);
  if (validate(payload)) return;
  const source = String((schemaDocument.info as JsonObject)['x-source']);
  throw new Error(
    `Webhook fixture ${event} does not match GitHub's schema ${schemaEvents[event]} (${source}):\n  ` +
      formatAjvErrors(validate.errors, 12).join('\n  '),
  );
}

interface ExampleGroup {
  name: string;
  examples: JsonObject[];
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleGroup[];

/** A deep copy of the first of GitHub's examples for the event that passes its own schema. */
function example(event: WebhookEventName): JsonObject {
  if (event === 'repository_dispatch') {
    // Its one example carries the sender's event type as `action` and a repository older than
    // today's schema (no `disabled`): the fixture gives it the repository of a current example.
    const [first] = examples.find((candidate) => candidate.name === event)?.examples ?? [];
    if (!first) throw new Error('@octokit/webhooks-examples has no repository_dispatch example');
    return { ...structuredClone(first), repository: example('issues.labeled').repository as JsonObject };
  }
  const [name, action] = event.split('.');
  const candidates = examples.find((group) => group.name === name)?.examples ?? [];
  const valid = candidates.find((candidate) => candidate.action === action && validatorFor(event)(candidate));
  if (!valid) throw new Error(`@octokit/webhooks-examples has no ${event} example that passes its schema`);
  return structuredClone(valid);
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A stable id for a name, so fixtures are deterministic without the test choosing ids. */
function stableId(name: string, base = 10_000_000): number {
  let hash = 2166136261;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return base + (hash % 80_000_000);
}

function user(input: UserInput): JsonObject {
  const spec = typeof input === 'string' ? { login: input } : input;
  const record: UserRecord = {
    login: spec.login,
    id: spec.id ?? KNOWN_USER_IDS[spec.login] ?? stableId(`user:${spec.login}`),
    type: spec.type ?? (spec.login.endsWith('[bot]') ? 'Bot' : 'User'),
    name: null,
    createdAt: new Date(DEFAULT_TIME),
  };
  return renderUser(GITHUB, record) as unknown as JsonObject;
}

function label(input: LabelInput, repositoryFullName: string): JsonObject {
  const spec = typeof input === 'string' ? { name: input } : input;
  const id = spec.id ?? stableId(`label:${spec.name.toLowerCase()}`, 6_000_000_000);
  return {
    id,
    node_id: nodeId('LA', id),
    url: `${GITHUB.api}/repos/${repositoryFullName}/labels/${encodeURIComponent(spec.name)}`,
    name: spec.name,
    color: spec.color ?? 'ededed',
    default: false,
    description: spec.description ?? null,
  };
}

function sameLabel(a: LabelInput, b: LabelInput): boolean {
  const name = (value: LabelInput): string => (typeof value === 'string' ? value : value.name).toLowerCase();
  return name(a) === name(b);
}

function organization(login: string, id: number): JsonObject {
  const api = `${GITHUB.api}/orgs/${login}`;
  return {
    login,
    id,
    node_id: Buffer.from(`012:Organization${id}`).toString('base64'),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    description: null,
  };
}

/**
 * Moves an example payload to another repository: every URL naming the example's repository is
 * rewritten, and the repository's identity, owner and visibility replaced. `organization` is
 * present exactly when the owner is an organisation; `installation`/`enterprise` are dropped.
 */
function retarget(payload: JsonObject, input: RepositoryInput): JsonObject {
  const spec = { ...DEFAULT_REPOSITORY, ...input };
  const full = `${spec.owner}/${spec.name}`;
  const exampleFull = String((payload.repository as JsonObject).full_name);
  const moved = JSON.parse(JSON.stringify(payload).split(exampleFull).join(full)) as JsonObject;
  const ownerId = stableId(`user:${spec.owner}`);
  const owner = user({ login: spec.owner, id: ownerId, type: spec.ownerType });
  const repository = moved.repository as JsonObject;
  Object.assign(repository, {
    id: spec.id,
    node_id: nodeId('R', spec.id),
    name: spec.name,
    full_name: full,
    private: spec.private,
    owner,
  });
  if ('default_branch' in repository) repository.default_branch = 'main';
  if ('visibility' in repository) repository.visibility = spec.private ? 'private' : 'public';
  delete moved.installation;
  delete moved.enterprise;
  delete moved.organization;
  if (spec.ownerType === 'Organization') moved.organization = organization(spec.owner, ownerId);
  return moved;
}

function applyIssue(payload: JsonObject, input: IssueFixtureInput): void {
  const issue = payload.issue as JsonObject;
  const full = String((payload.repository as JsonObject).full_name);
  const number = input.number ?? 1;
  const id = input.id ?? stableId(`issue:${full}#${number}`, 2_000_000_000);
  const url = `${GITHUB.api}/repos/${full}/issues/${number}`;
  const state = input.state ?? 'open';
  const createdAt = input.createdAt ?? DEFAULT_TIME;
  const assignees = (input.assignees ?? []).map(user);
  Object.assign(issue, {
    url,
    repository_url: `${GITHUB.api}/repos/${full}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${GITHUB.web}/${full}/issues/${number}`,
    id,
    node_id: nodeId('I', id),
    number,
    title: input.title ?? 'Database latency above SLO',
    body: input.body === undefined ? '' : input.body,
    user: user(input.user ?? 'octocat'),
    labels: (input.labels ?? []).map((value) => label(value, full)),
    state,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    created_at: createdAt,
    updated_at: input.updatedAt ?? createdAt,
    closed_at:
      input.closedAt !== undefined
        ? input.closedAt
        : state === 'closed'
          ? (input.updatedAt ?? createdAt)
          : null,
    author_association: input.authorAssociation ?? 'MEMBER',
    state_reason:
      input.stateReason !== undefined ? input.stateReason : state === 'closed' ? 'completed' : null,
  });
  if (isJsonObject(issue.reactions)) issue.reactions.url = `${url}/reactions`;
  if ('timeline_url' in issue) issue.timeline_url = `${url}/timeline`;
}

function applyComment(payload: JsonObject, input: CommentFixtureInput): void {
  const comment = payload.comment as JsonObject;
  const issue = payload.issue as JsonObject;
  const full = String((payload.repository as JsonObject).full_name);
  const id = input.id ?? stableId(`comment:${full}#${String(issue.number)}:${input.body}`, 1_800_000_000);
  const url = `${GITHUB.api}/repos/${full}/issues/comments/${id}`;
  const createdAt = input.createdAt ?? DEFAULT_TIME;
  Object.assign(comment, {
    url,
    html_url: `${String(issue.html_url)}#issuecomment-${id}`,
    issue_url: String(issue.url),
    id,
    node_id: nodeId('IC', id),
    user: user(input.user ?? 'octocat'),
    created_at: createdAt,
    updated_at: input.updatedAt ?? createdAt,
    author_association: input.authorAssociation ?? 'MEMBER',
    body: input.body,
  });
  if (isJsonObject(comment.reactions)) comment.reactions.url = `${url}/reactions`;
}

function deepMerge(target: JsonObject, extra: JsonObject): void {
  for (const [key, value] of Object.entries(extra)) {
    const current = target[key];
    if (isJsonObject(current) && isJsonObject(value)) deepMerge(current, value);
    else target[key] = structuredClone(value) as Json;
  }
}

function finish<Payload>(
  event: WebhookEventName,
  payload: JsonObject,
  input: CommonInput,
  defaultSender: JsonObject,
): WebhookFixture<Payload> {
  payload.sender = input.sender ? user(input.sender) : defaultSender;
  if (input.installation) {
    payload.installation = {
      id: input.installation.id,
      node_id: nodeId('MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u', input.installation.id),
    };
  }
  if (input.extra) deepMerge(payload, input.extra);
  assertValidWebhook(event, payload);
  const eventName = event.startsWith('issue_comment.') ? 'issue_comment' : 'issues';
  return { eventName, payload: payload as unknown as Payload };
}

function issuesEvent(
  event: WebhookEventName,
  base: JsonObject,
  input: CommonInput,
  issue: IssueFixtureInput,
  labelInput?: LabelInput,
): WebhookFixture<IssuesPayload> {
  const payload = retarget(base, input.repository ?? DEFAULT_REPOSITORY);
  applyIssue(payload, issue);
  if (labelInput !== undefined) {
    payload.label = label(labelInput, String((payload.repository as JsonObject).full_name));
  } else {
    delete payload.label;
  }
  delete payload.changes;
  return finish(event, payload, input, (payload.issue as JsonObject).user as JsonObject);
}

// ---------------------------------------------------------------------------------------------
// The fixtures

/** `issues.labeled`: the issue's labels include the added one, as in GitHub's payload. */
export function issuesLabeled(input: CommonInput & { label: LabelInput }): WebhookFixture<IssuesPayload> {
  const labels = input.issue?.labels ?? [];
  const withLabel = labels.some((existing) => sameLabel(existing, input.label))
    ? labels
    : [...labels, input.label];
  return issuesEvent(
    'issues.labeled',
    example('issues.labeled'),
    input,
    { ...input.issue, labels: withLabel },
    input.label,
  );
}

/** `issues.unlabeled`: the issue's labels no longer include the removed one. */
export function issuesUnlabeled(input: CommonInput & { label: LabelInput }): WebhookFixture<IssuesPayload> {
  const labels = (input.issue?.labels ?? []).filter((existing) => !sameLabel(existing, input.label));
  return issuesEvent(
    'issues.unlabeled',
    example('issues.unlabeled'),
    input,
    { ...input.issue, labels },
    input.label,
  );
}

/**
 * `issues.closed`. GitHub's examples have none, so it is made from the `issues.labeled` example
 * (same issue and repository shapes) and validated against the `webhook-issues-closed` schema.
 */
export function issuesClosed(input: CommonInput = {}): WebhookFixture<IssuesPayload> {
  const base = example('issues.labeled');
  base.action = 'closed';
  return issuesEvent('issues.closed', base, input, { ...input.issue, state: 'closed' });
}

export function issuesReopened(input: CommonInput = {}): WebhookFixture<IssuesPayload> {
  return issuesEvent('issues.reopened', example('issues.reopened'), input, {
    stateReason: 'reopened',
    ...input.issue,
    state: 'open',
  });
}

export function issueCommentCreated(
  input: CommonInput & { comment: CommentFixtureInput },
): WebhookFixture<IssueCommentPayload> {
  const payload = retarget(example('issue_comment.created'), input.repository ?? DEFAULT_REPOSITORY);
  applyIssue(payload, input.issue ?? {});
  applyComment(payload, input.comment);
  return finish('issue_comment.created', payload, input, (payload.comment as JsonObject).user as JsonObject);
}

/** `issue_comment.edited`, with `changes.body.from` holding the body before the edit. */
export function issueCommentEdited(
  input: CommonInput & { comment: CommentFixtureInput; previousBody: string },
): WebhookFixture<IssueCommentPayload> {
  const payload = retarget(example('issue_comment.edited'), input.repository ?? DEFAULT_REPOSITORY);
  applyIssue(payload, input.issue ?? {});
  applyComment(payload, { updatedAt: DEFAULT_TIME, ...input.comment });
  payload.changes = { body: { from: input.previousBody } };
  return finish('issue_comment.edited', payload, input, (payload.comment as JsonObject).user as JsonObject);
}

/** Five cron fields, as GitHub Actions accepts them in `on.schedule[].cron`. */
const CRON = /^\s*\S+(\s+\S+){4}\s*$/;

/**
 * The `schedule` event. GitHub publishes no schema for it: for years the event file held only
 * `{ "schedule": "<cron>" }`; since 2022 GitHub adds the `repository` (and `organization` for an
 * organisation's repository) and the `workflow` path. `minimal: true` gives the old, bare shape
 * so the action can be tested against both.
 */
export function schedule(input: {
  cron: string;
  repository?: RepositoryInput;
  workflow?: string;
  minimal?: boolean;
}): WebhookFixture<SchedulePayload> {
  if (!CRON.test(input.cron))
    throw new Error(`schedule fixture: "${input.cron}" is not a five-field cron expression`);
  if (input.minimal) return { eventName: 'schedule', payload: { schedule: input.cron } };
  const moved = retarget(example('issues.labeled'), input.repository ?? DEFAULT_REPOSITORY);
  const payload: JsonObject = {
    schedule: input.cron,
    repository: moved.repository as JsonObject,
    workflow: input.workflow ?? '.github/workflows/incident.yml',
  };
  if (moved.organization) payload.organization = moved.organization;
  return { eventName: 'schedule', payload: payload as unknown as SchedulePayload };
}

/**
 * The fixture inputs that make a payload describe the same issue as the emulator holds (number,
 * ids, title, body, state, labels with their ids and colors, author, assignees, timestamps):
 * `issuesLabeled({ ...matchEmulatorIssue(emulator.getIssue(1)!, repoId), label: 'sev1' })`.
 */
export function matchEmulatorIssue(
  issue: GitHubIssue,
  repositoryId?: number,
): { issue: IssueFixtureInput; repository: RepositoryInput } {
  const [owner = '', name = ''] = new URL(issue.repository_url).pathname.split('/').slice(2);
  const person = (value: { login: string; id: number; type: string }): UserInput => ({
    login: value.login,
    id: value.id,
    type: value.type as UserRecord['type'],
  });
  return {
    repository: { owner, name, ...(repositoryId !== undefined ? { id: repositoryId } : {}) },
    issue: {
      number: issue.number,
      id: issue.id,
      title: issue.title,
      body: issue.body ?? null,
      state: issue.state === 'closed' ? 'closed' : 'open',
      stateReason: issue.state_reason ?? null,
      labels: issue.labels.map((value) =>
        typeof value === 'string'
          ? value
          : {
              name: value.name ?? '',
              color: value.color ?? undefined,
              description: value.description ?? null,
              id: value.id,
            },
      ),
      user: issue.user ? person(issue.user) : undefined,
      assignees: (issue.assignees ?? []).map(person),
      createdAt: issue.created_at,
      updatedAt: issue.updated_at,
      closedAt: issue.closed_at,
      authorAssociation: issue.author_association,
    },
  };
}

/**
 * `repository_dispatch`, as GitHub delivers it to the workflow after `POST /repos/{o}/{r}/dispatches`
 * (`event_type` becomes `action`), from GitHub's example and validated against its schema.
 */
export function repositoryDispatch(input: {
  eventType: string;
  clientPayload: unknown;
  sender: UserInput;
  repository?: RepositoryInput;
}): WebhookFixture<JsonObject> {
  const payload = retarget(example('repository_dispatch'), input.repository ?? DEFAULT_REPOSITORY);
  payload.action = input.eventType;
  payload.client_payload = input.clientPayload as JsonObject;
  payload.branch = 'main';
  payload.sender = user(input.sender);
  // GitHub's schema for this event requires the installation (retarget drops it from examples).
  const installation = stableId('installation:incident-issueops', 30_000_000);
  payload.installation = {
    id: installation,
    node_id: nodeId('MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u', installation),
  };
  assertValidWebhook('repository_dispatch', payload);
  return { eventName: 'repository_dispatch', payload };
}
