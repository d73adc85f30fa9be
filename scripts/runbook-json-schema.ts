// Writes runbook.schema.json from the runbook's zod schema, so editors can validate and complete
// .github/incident-runbook.yml. A test fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runbookJsonSchema } from '../src/config/runbook-json-schema.ts';

const target = fileURLToPath(new URL('../runbook.schema.json', import.meta.url));
writeFileSync(target, JSON.stringify(runbookJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target}`);
