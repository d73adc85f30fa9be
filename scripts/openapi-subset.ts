/**
 * Cuts the operations and webhook events the action uses out of GitHub's own descriptions
 * (`@octokit/openapi`, `@octokit/openapi-webhooks`) into two small committed files that the
 * emulator and the fixtures validate against. Run through `scripts/openapi-subset.sh`.
 *
 * Usage: node scripts/openapi-subset.ts <dir holding node_modules/@octokit/openapi{,-webhooks}>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The REST operations the action (and its harness) calls, by operationId. */
const OPERATION_IDS = [
  'issues/get',
  'issues/update',
  'issues/create',
  'issues/list-for-repo',
  'issues/list-comments',
  'issues/create-comment',
  'issues/get-comment',
  'issues/update-comment',
  'reactions/create-for-issue-comment',
  'reactions/create-for-issue',
  'reactions/list-for-issue-comment',
  'reactions/delete-for-issue-comment',
  'issues/add-labels',
  'issues/remove-label',
  'issues/set-labels',
  'issues/list-labels-on-issue',
  'issues/create-label',
  'issues/get-label',
  'issues/add-assignees',
  'issues/remove-assignees',
  'repos/get-collaborator-permission-level',
  'teams/get-membership-for-user-in-org',
  'issues/list-events',
  'issues/list-events-for-timeline',
  'repos/get-content',
  'users/get-authenticated',
  'apps/get-authenticated',
  'rate-limit/get',
  'repos/create-dispatch-event',
  'repos/create-or-update-file-contents',
  'issues/add-sub-issue',
  'issues/list-sub-issues',
] as const;

/** Webhook event (`event.action`) → schema name in @octokit/openapi-webhooks. */
const WEBHOOK_EVENTS = {
  'issue_comment.created': 'webhook-issue-comment-created',
  'issue_comment.edited': 'webhook-issue-comment-edited',
  'issues.labeled': 'webhook-issues-labeled',
  'issues.unlabeled': 'webhook-issues-unlabeled',
  'issues.closed': 'webhook-issues-closed',
  'issues.reopened': 'webhook-issues-reopened',
  repository_dispatch: 'webhook-repository-dispatch-sample',
} as const;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Keys dropped from the copy: examples (big, and not needed to validate) and the description's
 * change-log extension. Everything that constrains a value is kept as GitHub wrote it.
 */
const DROPPED_KEYS = new Set(['examples', 'x-github-breaking-changes']);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy without DROPPED_KEYS (only where they are keywords, not property names). */
function prune(value: Json, underProperties = false): Json {
  if (Array.isArray(value)) return value.map((item) => prune(item));
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (!underProperties && DROPPED_KEYS.has(key)) continue;
    copy[key] = prune(child, key === 'properties' && !underProperties);
  }
  return copy;
}

function readJson(path: string): JsonObject {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
}

/** Resolves a local `#/a/b/c` pointer in `document`. */
function resolvePointer(document: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
  let node: Json = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new Error(`Unresolvable $ref ${ref}`);
    node = node[key] as Json;
  }
  return node;
}

/** Copies every component `roots` reference, transitively, into a fresh `components` object. */
function collectComponents(document: JsonObject, roots: Json[]): JsonObject {
  const components: Record<string, JsonObject> = {};
  const seen = new Set<string>();
  const queue: Json[] = [...roots];
  while (queue.length > 0) {
    const node = queue.pop() as Json;
    if (Array.isArray(node)) {
      queue.push(...node);
    } else if (isObject(node)) {
      const ref = node.$ref;
      if (typeof ref === 'string' && !seen.has(ref)) {
        seen.add(ref);
        const [, section, name, ...rest] = ref.split('/');
        if (section !== 'components' || !name || rest.length !== 1) {
          throw new Error(`Unexpected $ref shape ${ref}`);
        }
        const target = prune(resolvePointer(document, ref));
        components[name] ??= {};
        (components[name] as JsonObject)[rest[0] as string] = target;
        queue.push(target);
      }
      queue.push(...Object.values(node));
    }
  }
  return sortKeys(components) as JsonObject;
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key] as Json)]),
  );
}

function packageVersion(dir: string, name: string): string {
  return String(readJson(join(dir, 'node_modules', name, 'package.json')).version);
}

function restSubset(dir: string): JsonObject {
  const name = '@octokit/openapi';
  const document = readJson(join(dir, 'node_modules', name, 'generated', 'api.github.com.json'));
  const wanted = new Set<string>(OPERATION_IDS);
  const paths: JsonObject = {};
  for (const [template, item] of Object.entries(document.paths as JsonObject)) {
    if (!isObject(item)) continue;
    const kept: JsonObject = {};
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (isObject(operation) && wanted.has(String(operation.operationId))) {
        kept[method] = prune(operation);
        wanted.delete(String(operation.operationId));
      }
    }
    if (Object.keys(kept).length === 0) continue;
    if (item.parameters) kept.parameters = prune(item.parameters);
    paths[template] = kept;
  }
  if (wanted.size > 0) throw new Error(`Operations missing from ${name}: ${[...wanted].join(', ')}`);
  return {
    openapi: document.openapi as Json,
    info: {
      title: 'Subset of GitHub REST API description (api.github.com) used by the emulator',
      version: packageVersion(dir, name),
      'x-source': `${name}@${packageVersion(dir, name)} generated/api.github.com.json`,
      'x-generated-by': 'scripts/openapi-subset.sh',
    },
    paths: sortKeys(paths),
    components: collectComponents(document, [paths]),
  };
}

function webhookSubset(dir: string): JsonObject {
  const name = '@octokit/openapi-webhooks';
  const document = readJson(join(dir, 'node_modules', name, 'generated', 'api.github.com.json'));
  const roots = Object.values(WEBHOOK_EVENTS).map((schema) => ({ $ref: `#/components/schemas/${schema}` }));
  return {
    openapi: document.openapi as Json,
    info: {
      title: 'Subset of GitHub webhook payload schemas (api.github.com) used by the fixtures',
      version: packageVersion(dir, name),
      'x-source': `${name}@${packageVersion(dir, name)} generated/api.github.com.json`,
      'x-generated-by': 'scripts/openapi-subset.sh',
    },
    'x-events': { ...WEBHOOK_EVENTS },
    components: collectComponents(document, roots),
  };
}

function write(path: string, document: JsonObject): void {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  writeFileSync(path, text);
  console.log(`wrote ${path} (${(text.length / 1024).toFixed(0)} KiB)`);
}

const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: node scripts/openapi-subset.ts <dir with node_modules/@octokit/openapi>');
  process.exit(2);
}
const outDir = join(import.meta.dirname, '..', 'harness', 'github');
write(join(outDir, 'openapi-subset.json'), restSubset(packageDir));
write(join(outDir, 'webhook-schemas.json'), webhookSubset(packageDir));
