/**
 * The runbook corpus: good runbooks that both the loader and the JSON Schema accept, and broken
 * ones whose every problem the loader reports at once. Each broken file lists what `validate`
 * must say (`# expect: LINE:COLUMN seen-by path: message`), where seen-by is `schema` when an
 * editor using runbook.schema.json sees the problem too and `validate` when only the loader can.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { formatProblem, parseRunbook, type RunbookProblem } from '../../src/config/runbook.ts';

const corpus = new URL('../corpus/runbooks/', import.meta.url);
const files = (kind: 'good' | 'bad') =>
  readdirSync(new URL(`${kind}/`, corpus)).map((name) => ({
    name,
    text: readFileSync(new URL(`${kind}/${name}`, corpus), 'utf8'),
  }));

const schema = JSON.parse(readFileSync(new URL('../../runbook.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
const validateWithSchema = ajv.compile(schema);

/** The field path each schema error is about, in the loader's terms. */
function schemaPaths(errors: readonly ErrorObject[]): string[] {
  return errors.map((error) => {
    const base = error.instancePath.split('/').slice(1);
    const params = error.params as {
      propertyName?: string;
      additionalProperty?: string;
      missingProperty?: string;
    };
    const key = params.propertyName ?? params.additionalProperty ?? params.missingProperty;
    return [...base, ...(key === undefined ? [] : [key])].join('.');
  });
}

function schemaSees(problem: RunbookProblem, paths: string[]): boolean {
  const path = problem.path.join('.');
  return paths.some((seen) => seen === path);
}

describe('the runbook corpus', () => {
  test.each(files('good'))('good/$name: accepted by the loader and by the JSON Schema', ({ name, text }) => {
    const result = parseRunbook(text, name);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(validateWithSchema(parse(text))).toBe(true);
  });

  test.each(files('bad'))(
    'bad/$name: every problem at once, with line, column and who sees it',
    ({ name, text }) => {
      const expected = [...text.matchAll(/^# expect: (\d+):(\d+) (schema|validate|yaml) (.*)$/gm)].map(
        ([, line, column, seenBy, said]) => `${name}:${line}:${column}: ${said} [${seenBy}]`,
      );
      expect(expected.length).toBeGreaterThan(0);
      const result = parseRunbook(text, name);
      if (result.ok) throw new Error(`${name} was accepted`);
      let document: unknown;
      try {
        document = parse(text);
      } catch {
        document = undefined; // a YAML syntax error: the schema sees nothing at all
      }
      const seen =
        document === undefined || validateWithSchema(document)
          ? []
          : schemaPaths(validateWithSchema.errors ?? []);
      const reported = result.problems.map(
        (problem) =>
          `${formatProblem(name, problem)} [${document === undefined ? 'yaml' : schemaSees(problem, seen) ? 'schema' : 'validate'}]`,
      );
      expect(reported).toEqual(expected);
      // The schema never rejects what the loader accepts: each of its errors is one of the loader's.
      const loaderPaths = result.problems.map((problem) => problem.path.join('.'));
      for (const path of seen) {
        expect(
          loaderPaths.some(
            (loader) => loader === path || loader.startsWith(`${path}.`) || path.startsWith(`${loader}.`),
          ),
        ).toBe(true);
      }
    },
  );
});
