import { z } from 'zod';
import { runbookSchema } from './runbook.schema.ts';

/** The runbook file's JSON Schema, generated from the same zod schema that validates it. */
export function runbookJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(runbookSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/incident-issueops/incident-issueops/runbook.schema.json',
    title: 'Incident IssueOps runbook',
  };
}
