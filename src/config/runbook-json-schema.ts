import { z } from 'zod';
import { RESERVED_COMMANDS } from '../commands/registry.ts';
import { runbookSchema } from './runbook.schema.ts';

/**
 * The runbook file's JSON Schema, generated from the same zod schema that validates it, plus what
 * zod cannot carry over: the command names that are the action's own. Cross-references (a step's
 * placeholder naming an argument, a command's target) and shell rules cannot be said in a JSON
 * Schema; `incident-issueops validate` checks those.
 */
export function runbookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(runbookSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const commands = at(schema, 'properties', 'commands');
  commands.propertyNames = { ...at(commands, 'propertyNames'), not: { enum: [...RESERVED_COMMANDS] } };
  const argument = at(commands, 'additionalProperties', 'properties', 'args', 'items');
  argument.allOf = ARGUMENT_RULES;
  const threshold = at(
    schema,
    'properties',
    'verification',
    'properties',
    'metrics',
    'properties',
    'thresholds',
    'items',
  );
  threshold.allOf = THRESHOLD_RULES;
  // A command's steps run a script or read the metrics; its check and the verification's steps
  // are scripts.
  const command = at(commands, 'additionalProperties', 'properties');
  at(command, 'steps', 'items').allOf = [{ oneOf: [{ required: ['run'] }, { required: ['metrics'] }] }];
  for (const step of [
    at(command, 'check'),
    at(schema, 'properties', 'verification', 'properties', 'steps', 'items'),
  ]) {
    step.required = ['name'];
    step.not = { required: ['metrics'] };
    step.anyOf = [{ required: ['run'] }, { required: ['metrics'] }];
  }
  const metrics = at(schema, 'properties', 'verification', 'properties', 'metrics');
  metrics.allOf = METRICS_RULES;
  return {
    ...schema,
    $id: 'https://github.com/incident-issueops/incident-issueops/runbook.schema.json',
    title: 'Incident IssueOps runbook',
  };
}

type JsonSchema = { [key: string]: unknown };

function at(schema: JsonSchema, ...path: string[]): JsonSchema {
  let node = schema;
  for (const key of path) {
    const next = node[key];
    if (next === null || typeof next !== 'object')
      throw new Error(`runbook JSON Schema has no ${path.join('.')}`);
    node = next as JsonSchema;
  }
  return node;
}

const has = (key: string, value: string) => ({ properties: { [key]: { const: value } }, required: [key] });

/** The argument schema's refinements, said in JSON Schema. */
const ARGUMENT_RULES = [
  {
    if: has('kind', 'flag'),
    then: {
      not: { anyOf: [{ required: ['pattern'] }, { required: ['values'] }, { required: ['default'] }] },
    },
  },
  {
    if: { not: { anyOf: [has('kind', 'flag'), has('type', 'integer')] } },
    then: { anyOf: [{ required: ['pattern'] }, { required: ['values'] }] },
  },
];

/** The threshold schema's refinements: one kind of value, a histogram's quantile, a bound. */
const THRESHOLD_RULES = [
  {
    oneOf: [
      { required: ['query'] },
      { required: ['metric'] },
      { required: ['histogram'] },
      { required: ['ratio'] },
    ],
  },
  { if: { required: ['histogram'] }, then: { required: ['quantile'] } },
  { anyOf: [{ required: ['max'] }, { required: ['min'] }] },
];

/** The metrics section: Prometheus with PromQL thresholds, or one scrape with metric thresholds. */
const METRICS_RULES = [
  { oneOf: [{ required: ['prometheus'] }, { required: ['run'] }] },
  {
    if: { required: ['prometheus'] },
    then: { properties: { thresholds: { items: { required: ['query'] } } } },
    else: { properties: { thresholds: { items: { not: { required: ['query'] } } } } },
  },
];
