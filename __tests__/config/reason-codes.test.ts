import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allReasonCodes } from '../../src/commands/definitions.ts';

const REASON_CODES = allReasonCodes();

const ROOT = new URL('../../', import.meta.url).pathname;

// The compiler holds the code to REASON_CODES (Outcome.reason is typed by it); these hold the docs to it.
describe('reason codes', () => {
  test('every code action.yml names as an example is one the code can emit', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      outputs: Record<string, { description: string }>;
    };
    const described = action.outputs.reason?.description ?? '';
    const named = [
      ...described.matchAll(/\b([a-z]+(?:-[a-z]+)+|declared|executed|permission|timeout)\b/g),
    ].map((match) => match[1] ?? '');
    expect(named.length).toBeGreaterThan(3);
    for (const code of named) expect(Object.keys(REASON_CODES)).toContain(code);
  });

  test('every code the README lists is in the list, and every listed code is in the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Reason codes'));
    const documented = [...table.matchAll(/^\| `([a-z-]+)`\s+\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(REASON_CODES).sort());
  });
});
