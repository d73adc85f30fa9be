import { parseRunbook } from '../../src/config/runbook.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';

const minimal = (commands: string) => `version: 1
service: demo
severities:
  p0:
    name: Critical
    description: Down
    respond-within: 15m
commands:
${commands}`;

function errors(source: string): string[] {
  const result = parseRunbook(source, 'runbook.yml');
  if (result.ok) throw new Error('accepted');
  return result.errors;
}

describe('parseRunbook', () => {
  test('the built-in runbook is valid and carries the runbook’s severity table', () => {
    const result = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const table = Object.entries(result.runbook.severities).map(([key, s]) => [
      key,
      s.name,
      s['respond-within'],
    ]);
    expect(table).toEqual([
      ['p0', 'Critical', 900],
      ['p1', 'High', 3600],
      ['p2', 'Medium', 14400],
      ['p3', 'Low', 86400],
    ]);
    expect(Object.keys(result.runbook.commands).sort()).toEqual(
      [
        'assess',
        'backup',
        'diagnose',
        'doctor',
        'health',
        'logs',
        'restart',
        'restore',
        'rollback',
        'status',
        // every resolution step of the four scenarios
        'db-integrity',
        'recreate-db',
        'memory-limit',
        'kb-limit',
        'circuit-breaker',
        'rate-limits',
        'dependencies',
      ].sort(),
    );
  });

  test('a schema error names the field path and its line', () => {
    const source = minimal(`  restart:
    description: Restart
    permission: superuser
    steps:
      - name: go
        run: echo hi`);
    expect(errors(source)).toEqual([
      expect.stringMatching(
        /^runbook\.yml:11:5: commands\.restart\.permission: Invalid option: expected one of/,
      ),
    ]);
  });

  test('a bad duration says how to write one', () => {
    const source = minimal('  {}').replace('respond-within: 15m', 'respond-within: soon');
    expect(errors(source)[0]).toBe(
      'runbook.yml:7:5: severities.p0.respond-within: "soon" is not a duration; write it like 90s, 15m, 4h or 3d',
    );
  });

  test('free-text arguments must be constrained by a pattern or a list', () => {
    const source = minimal(`  rollback:
    description: Roll back
    args:
      - name: tag
        description: tag
    steps:
      - name: go
        run: deploy {{ tag }}`);
    expect(errors(source)[0]).toContain('needs a "pattern" or "values"');
  });

  test('placeholders must name an argument and must not be wrapped in quotes', () => {
    const source = minimal(`  rollback:
    description: Roll back
    args:
      - name: tag
        description: tag
        pattern: '^v[0-9.]+$'
        required: true
    steps:
      - name: go
        run: deploy "{{ tag }}" {{ other }}`);
    expect(errors(source)).toEqual(
      [
        'runbook.yml:18:9: commands.rollback.steps.0.run: "{{ other }}" names no argument of "rollback"; declare it under "args"',
        'runbook.yml:18:9: commands.rollback.steps.0.run: "{{ tag }}" is already quoted when it expands; remove the surrounding quotes',
      ].sort((a, b) => (a.includes('other') ? 1 : -1) - (b.includes('other') ? 1 : -1)),
    );
  });

  test('built-in command names cannot be redefined', () => {
    const source = minimal(`  help:
    description: mine
    steps:
      - name: go
        run: echo`);
    expect(errors(source)[0]).toContain('"/help" is a built-in command');
  });

  test('YAML syntax errors give the line', () => {
    expect(errors('version: 1\nservice: [unclosed\n')[0]).toMatch(/^runbook\.yml:\d+:\d+: YAML syntax error/);
  });
});

describe('runbook.schema.json', () => {
  test('the committed JSON Schema is generated from the current zod schema (npm run runbook-schema)', async () => {
    const { readFileSync } = await import('node:fs');
    const { runbookJsonSchema } = await import('../../src/config/runbook-json-schema.ts');
    const committed = JSON.parse(readFileSync(new URL('../../runbook.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(runbookJsonSchema());
  });
});

describe('argument defaults', () => {
  test('a default must pass its own argument’s rule', () => {
    const source = minimal(`  logs:
    description: Logs
    args:
      - name: service
        description: which
        values: [app, db]
        default: cache
    steps:
      - name: go
        run: tail {{ service }}`);
    expect(errors(source)[0]).toBe(
      'runbook.yml:15:9: commands.logs.args.0.default: the default "cache" of "service" is not one of its values',
    );
  });
});
