/**
 * Shared plumbing for validating against GitHub's descriptions with Ajv: loading the committed
 * subsets, rewriting OpenAPI 3.0 `nullable` into JSON Schema, and readable error messages.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one of the committed JSON files next to this module. */
export function readSiblingJson(fileName: string): JsonObject {
  return JSON.parse(readFileSync(new URL(fileName, import.meta.url), 'utf8')) as JsonObject;
}

/**
 * OpenAPI 3.0 marks null with `nullable: true`, which JSON Schema (and Ajv) does not know:
 * `{type: 'string', nullable: true}` becomes `{type: ['string', 'null']}` (with `null` added to an
 * `enum`), and a nullable schema without `type` (a `oneOf`, `allOf`, ...) becomes
 * `{anyOf: [schema, {type: 'null'}]}`. Local `$ref`s are made absolute against `baseId` so any
 * fragment of the document can be compiled on its own.
 */
export function toJsonSchema(node: Json, baseId: string, underProperties = false): Json {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, baseId));
  if (!isJsonObject(node)) return node;
  const converted: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (!underProperties && key === 'nullable') continue;
    if (!underProperties && key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      converted[key] = `${baseId}${value}`;
      continue;
    }
    converted[key] = toJsonSchema(value, baseId, !underProperties && key === 'properties');
  }
  if (underProperties || node.nullable !== true) return converted;
  if (typeof converted.type === 'string') {
    converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum) && !converted.enum.includes(null)) converted.enum.push(null);
    return converted;
  }
  return { anyOf: [converted, { type: 'null' }] };
}

/** Keywords of OpenAPI documents (and of our subset files) that are annotations, not constraints. */
const ANNOTATION_KEYWORDS = [
  'example',
  'discriminator',
  'openapi',
  'info',
  'paths',
  'components',
  'x-events',
  'x-github',
  'x-octokit',
];

/** Ajv in strict mode, but tolerant of the description's own style (`required` listing inherited keys). */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
  });
  addFormatsModule.default(ajv);
  // Formats the description names but JSON Schema does not define: annotations only.
  ajv.addFormat('timestamp', true);
  ajv.addFormat('repo.nwo', true);
  ajv.addVocabulary(ANNOTATION_KEYWORDS);
  return ajv;
}

/**
 * Turns Ajv errors into short lines such as `/content must be equal to one of the allowed values
 * (+1, -1, laugh, ...)`. Branch errors of a failed anyOf/oneOf are kept (they say why), capped.
 */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined, limit = 8): string[] {
  const lines: string[] = [];
  for (const error of errors ?? []) {
    const where = error.instancePath === '' ? '(root)' : error.instancePath;
    let detail = error.message ?? 'is invalid';
    const params = error.params as Record<string, unknown>;
    if (Array.isArray(params.allowedValues)) detail += ` (${params.allowedValues.join(', ')})`;
    if (typeof params.additionalProperty === 'string') detail += ` '${params.additionalProperty}'`;
    const line = `${where} ${detail}`;
    if (!lines.includes(line)) lines.push(line);
  }
  if (lines.length > limit) return [...lines.slice(0, limit), `... and ${lines.length - limit} more`];
  return lines;
}

export type { ValidateFunction };
