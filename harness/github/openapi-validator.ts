/**
 * Holds HTTP exchanges to GitHub's own REST description (the committed subset in
 * `openapi-subset.json`): finds the operation for a method + path, checks path and query
 * parameters and the JSON body of the request, and the body of the response for its status.
 */
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

const DOCUMENT_ID = 'https://emulator.invalid/github-rest-subset.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export interface OperationMatch {
  operationId: string;
  method: string;
  /** The description's path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`. */
  template: string;
  /** Decoded path parameters, coerced to the type the description gives them. */
  pathParams: Record<string, string | number>;
  /** `externalDocs.url` of the operation: GitHub puts it in error bodies as `documentation_url`. */
  documentationUrl: string;
}

export interface RequestToValidate {
  method: string;
  /** The URL path without the query string, percent-encoded as sent. */
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body, or `undefined` when the request had none. */
  body: unknown;
}

export interface RequestCheck {
  operation?: OperationMatch;
  /** Query parameters coerced to their described types (integers, booleans), defaults not applied. */
  query: Record<string, string | number | boolean>;
  /** Empty when the request matches the description. */
  errors: string[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  multiSegment: boolean;
  schema: JsonObject;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  segments: string[];
  documentationUrl: string;
  parameters: Parameter[];
  requestBody?: { required: boolean; schema: Json };
  responses: Record<string, { schema?: Json } | undefined>;
}

/** Status codes GitHub answers on any route although the description rarely lists them. */
const GENERIC_ERROR_SCHEMA: Json = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' }, documentation_url: { type: 'string' } },
};

export class OpenApiValidator {
  readonly version: string;
  private readonly document: JsonObject;
  private readonly operations: Operation[];
  private readonly ajv = createAjv();
  private readonly compiled = new Map<Json, ValidateFunction>();

  constructor(subset: JsonObject = readSiblingJson('openapi-subset.json')) {
    this.document = toJsonSchema({ ...subset, $id: DOCUMENT_ID }, DOCUMENT_ID) as JsonObject;
    this.ajv.addSchema(this.document);
    this.version = String((subset.info as JsonObject).version);
    this.operations = this.readOperations();
  }

  /** The operation a method + path belongs to; `undefined` for an undocumented route. */
  match(method: string, path: string): OperationMatch | undefined {
    const found = this.find(method, path);
    return found ? toMatch(found.operation, found.pathParams) : undefined;
  }

  /** Path templates documented for a path, whatever the method (to explain a wrong method). */
  private methodsFor(path: string): string[] {
    const segments = splitPath(path);
    return this.operations
      .filter((operation) => matchSegments(operation, segments) !== undefined)
      .map((operation) => operation.method.toUpperCase());
  }

  validateRequest(request: RequestToValidate): RequestCheck {
    const found = this.find(request.method, request.path);
    if (!found) {
      const methods = this.methodsFor(request.path);
      const hint = methods.length > 0 ? ` (documented methods: ${methods.join(', ')})` : '';
      return {
        query: {},
        errors: [`undocumented route: ${request.method.toUpperCase()} ${request.path}${hint}`],
      };
    }
    const { operation, pathParams } = found;
    const errors: string[] = [];
    for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
      this.check(parameter.schema, pathParams[parameter.name], `path parameter '${parameter.name}'`, errors);
    }
    const query = this.checkQuery(operation, request.query, errors);
    this.checkBody(operation, request.body, errors);
    return { operation: toMatch(operation, pathParams), query, errors };
  }

  /** Checks a response body against the description of `status` for the operation. */
  validateResponse(operationId: string, status: number, body: unknown): string[] {
    const operation = this.operations.find((candidate) => candidate.operationId === operationId);
    if (!operation) return [`unknown operation ${operationId}`];
    const described = operation.responses[String(status)] ?? operation.responses.default;
    if (!described) {
      if (status >= 400) {
        // GitHub answers 401/403/404/422/5xx on routes whose description omits them; such bodies
        // are still GitHub's error shape.
        const errors: string[] = [];
        this.check(GENERIC_ERROR_SCHEMA, body, `undocumented ${status} body`, errors);
        return errors;
      }
      return [`status ${status} is not described for ${operationId}`];
    }
    if (described.schema === undefined) return [];
    const errors: string[] = [];
    this.check(described.schema, body, `${status} response body`, errors);
    return errors;
  }

  private check(schema: Json, value: unknown, what: string, errors: string[]): void {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema as JsonObject);
      this.compiled.set(schema, validate);
    }
    if (!validate(value)) {
      for (const line of formatAjvErrors(validate.errors)) errors.push(`${what}: ${line}`);
    }
  }

  private checkQuery(
    operation: Operation,
    query: URLSearchParams,
    errors: string[],
  ): Record<string, string | number | boolean> {
    const described = new Map(operation.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    const coerced: Record<string, string | number | boolean> = {};
    for (const name of new Set(query.keys())) {
      const parameter = described.get(name);
      if (!parameter) {
        errors.push(`query parameter '${name}' is not described for ${operation.operationId}`);
        continue;
      }
      const values = query.getAll(name);
      if (values.length > 1) errors.push(`query parameter '${name}' given ${values.length} times`);
      const value = coerce(values[0] ?? '', parameter.schema);
      this.check(parameter.schema, value, `query parameter '${name}'`, errors);
      coerced[name] = value;
    }
    for (const parameter of described.values()) {
      if (parameter.required && !query.has(parameter.name)) {
        errors.push(`query parameter '${parameter.name}' is required`);
      }
    }
    return coerced;
  }

  private checkBody(operation: Operation, body: unknown, errors: string[]): void {
    if (!operation.requestBody) {
      if (body !== undefined) errors.push(`${operation.operationId} takes no request body`);
      return;
    }
    if (body === undefined) {
      if (operation.requestBody.required) errors.push(`request body is required`);
      return;
    }
    this.check(operation.requestBody.schema, body, 'request body', errors);
  }

  private find(
    method: string,
    path: string,
  ): { operation: Operation; pathParams: Record<string, string | number> } | undefined {
    const segments = splitPath(path);
    let best: { operation: Operation; pathParams: Record<string, string | number> } | undefined;
    for (const operation of this.operations) {
      if (operation.method !== method.toLowerCase()) continue;
      const raw = matchSegments(operation, segments);
      if (!raw) continue;
      // Prefer literal segments over parameters: `/issues/comments/{id}` beats `/issues/{number}`.
      if (best && specificity(best.operation) >= specificity(operation)) continue;
      const pathParams: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(raw)) {
        const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
        pathParams[name] = parameter ? (coerce(value, parameter.schema) as string | number) : value;
      }
      best = { operation, pathParams };
    }
    return best;
  }

  private readOperations(): Operation[] {
    const operations: Operation[] = [];
    for (const [template, item] of Object.entries(this.document.paths as JsonObject)) {
      if (!isJsonObject(item)) continue;
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (!isJsonObject(operation)) continue;
        const parameters = [...asArray(item.parameters), ...asArray(operation.parameters)].map((parameter) =>
          this.readParameter(parameter),
        );
        operations.push({
          operationId: String(operation.operationId),
          method,
          template,
          segments: splitPath(template),
          documentationUrl: String((operation.externalDocs as JsonObject | undefined)?.url ?? ''),
          parameters,
          requestBody: this.readRequestBody(operation.requestBody),
          responses: this.readResponses(operation.responses),
        });
      }
    }
    return operations;
  }

  private readParameter(node: Json): Parameter {
    const parameter = this.deref(node);
    return {
      name: String(parameter.name),
      in: parameter.in as Parameter['in'],
      required: parameter.required === true,
      multiSegment: parameter['x-multi-segment'] === true,
      schema: (parameter.schema as JsonObject | undefined) ?? {},
    };
  }

  private readRequestBody(node: Json | undefined): Operation['requestBody'] {
    if (node === undefined) return undefined;
    const body = this.deref(node);
    const content = body.content as JsonObject;
    const json = content['application/json'] as JsonObject | undefined;
    return { required: body.required === true, schema: json?.schema ?? {} };
  }

  private readResponses(node: Json | undefined): Operation['responses'] {
    const responses: Operation['responses'] = {};
    for (const [status, response] of Object.entries((node as JsonObject | undefined) ?? {})) {
      const content = this.deref(response).content as JsonObject | undefined;
      const json = content?.['application/json'] as JsonObject | undefined;
      responses[status] = json ? { schema: json.schema } : {};
    }
    return responses;
  }

  /** Follows a `$ref` to a component (parameters, request bodies, responses are never nested). */
  private deref(node: Json): JsonObject {
    if (isJsonObject(node) && typeof node.$ref === 'string') {
      const pointer = node.$ref.slice(node.$ref.indexOf('#/') + 2).split('/');
      let target: Json = this.document;
      for (const key of pointer) target = (target as JsonObject)[key] as Json;
      return this.deref(target);
    }
    return node as JsonObject;
  }
}

function toMatch(operation: Operation, pathParams: Record<string, string | number>): OperationMatch {
  const { operationId, method, template, documentationUrl } = operation;
  return { operationId, method, template, pathParams, documentationUrl };
}

let shared: OpenApiValidator | undefined;

/** One validator per process: Ajv compiles each schema once, however many emulators start. */
export function sharedOpenApiValidator(): OpenApiValidator {
  shared ??= new OpenApiValidator();
  return shared;
}

function asArray(node: Json | undefined): Json[] {
  return Array.isArray(node) ? node : [];
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function specificity(operation: Operation): number {
  return operation.segments.filter((segment) => !segment.startsWith('{')).length;
}

/** Raw (decoded) path parameters if `segments` fits the operation's template. */
function matchSegments(operation: Operation, segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, templateSegment] of operation.segments.entries()) {
    const parameterName = /^\{(.+)\}$/.exec(templateSegment)?.[1];
    const segment = segments[index];
    if (segment === undefined) return undefined;
    if (parameterName === undefined) {
      if (segment !== templateSegment) return undefined;
      continue;
    }
    const multiSegment = operation.parameters.some((p) => p.name === parameterName && p.multiSegment);
    if (multiSegment && index === operation.segments.length - 1) {
      params[parameterName] = safeDecode(segments.slice(index).join('/'));
      return params;
    }
    params[parameterName] = safeDecode(segment);
  }
  return segments.length === operation.segments.length ? params : undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Query and path values arrive as strings; the description types some as integers or booleans. */
function coerce(value: string, schema: JsonObject): string | number | boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value)) {
    return Number(value);
  }
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
