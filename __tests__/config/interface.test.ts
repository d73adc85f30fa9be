// action.yml, the inputs schema, the code and the README describe one interface; these tests
// fail when one of them changes alone (an input added to action.yml only, a default changed in
// one place, a dependency used by the bundle but listed for development).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INPUT_NAMES } from '../../src/config/inputs.schema.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
};
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Rows of the README table under `heading`: its first two columns split into names and values. */
function table(heading: string): { names: string[]; second: string }[] {
  const start = readme.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`README has no "### ${heading}" section`);
  const lines = readme.slice(start).split('\n').slice(1);
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  const rows = lines.slice(first, end < 0 ? undefined : end);
  const body: { names: string[]; second: string }[] = [];
  for (const row of rows.slice(2)) {
    const [first = '', second = ''] = row
      .split(/(?<!\\)\|/)
      .slice(1)
      .map((cell) => cell.trim());
    body.push({ names: [...first.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''), second });
  }
  return body;
}

describe('inputs', () => {
  const documented = table('Inputs');

  test('action.yml and the inputs schema name the same inputs', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort());
  });

  test('the README documents every input, and no other', () => {
    expect(documented.flatMap((row) => row.names).sort()).toEqual(Object.keys(action.inputs).sort());
  });

  test('the README gives each input the default action.yml gives it', () => {
    for (const row of documented) {
      const defaults = row.second.split(/,\s*/).map((value) => value.replace(/^`|`$/g, '').trim());
      row.names.forEach((name, index) => {
        const shown = defaults[row.names.length === 1 ? 0 : index] ?? '';
        const expected = action.inputs[name]?.default ?? '';
        expect([name, shown === '—' ? '' : shown]).toEqual([name, expected]);
      });
    }
  });

  test('every input has a description', () => {
    for (const [name, input] of Object.entries(action.inputs))
      expect([name, input.description.length > 10]).toEqual([name, true]);
  });
});

describe('outputs', () => {
  test('action.yml, the README and the code name the same outputs', () => {
    const main = readFileSync(join(ROOT, 'src', 'main.ts'), 'utf8');
    const set = [...main.matchAll(/core\.setOutput\('([a-z-]+)'/g)].map((match) => match[1]);
    expect([...new Set(set)].sort()).toEqual(Object.keys(action.outputs).sort());
    expect(
      table('Outputs')
        .flatMap((row) => row.names)
        .sort(),
    ).toEqual(Object.keys(action.outputs).sort());
  });
});

describe('dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const imported = new Set<string>();
  for (const file of readdirSync(join(ROOT, 'src'), { recursive: true }).map(String)) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(ROOT, 'src', file), 'utf8');
    const statics = text.matchAll(/^import (?!type\b)(?:[^'"\n]*\bfrom )?['"]([^'"\n]+)['"]/gm);
    // Loaded when first needed: `await import('execa')`.
    const dynamics = text.matchAll(/\bawait import\(['"]([^'"\n]+)['"]\)/g);
    for (const match of [...statics, ...dynamics]) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier))
        continue;
      const parts = specifier.split('/');
      imported.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
    }
  }

  test('what the bundle imports is a runtime dependency, and every runtime dependency is imported', () => {
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });
});
