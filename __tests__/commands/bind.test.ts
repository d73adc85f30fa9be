import { bindCommand, type BindResult } from '../../src/commands/bind.ts';
import { extractCommandLines } from '../../src/commands/extract.ts';
import { commandRegistry } from '../../src/commands/registry.ts';
import { parseRunbook } from '../../src/config/runbook.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';

const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const registry = commandRegistry(parsed.runbook);

function bind(text: string): BindResult {
  const [line] = extractCommandLines(text);
  if (!line) throw new Error(`no command in ${text}`);
  return bindCommand(line, registry);
}

function args(text: string) {
  const result = bind(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.command.args;
}

function error(text: string) {
  const result = bind(text);
  if (result.ok) throw new Error(`${text} was accepted`);
  return result.error;
}

describe('bindCommand', () => {
  test('binds positional arguments, options in both spellings, and defaults', () => {
    expect(args('/rollback v1.1.0')).toEqual({ tag: 'v1.1.0' });
    expect(args('/logs')).toEqual({ service: 'slack-kb-agent', lines: 100 });
    expect(args('/logs slack-kb-redis --lines 20')).toEqual({ service: 'slack-kb-redis', lines: 20 });
    expect(args('/logs --lines=5 slack-kb-postgres')).toEqual({ service: 'slack-kb-postgres', lines: 5 });
    expect(args('/logs lines=7')).toEqual({ service: 'slack-kb-agent', lines: 7 });
  });

  test('refuses shell metacharacters in a tag, saying which rule was broken', () => {
    const refused = error('/rollback v1;rm -rf /');
    expect(refused.message).toContain('tag');
    expect(refused.message).toContain('does not match');
  });

  test('refuses option injection and values outside the list', () => {
    expect(error('/rollback --help').message).toContain('has no option');
    expect(error('/rollback -oProxyCommand=x').message).toContain('does not match');
    expect(error('/diagnose network').message).toContain('must be one of `app`, `db`, `memory`, `errors`');
    expect(error('/logs --lines 100000').message).toContain('at most 1000');
    expect(error('/logs --lines 1e3').message).toContain('whole number');
  });

  test('names the missing argument and shows the usage', () => {
    expect(error('/rollback').message).toBe(
      '`/rollback` needs tag (Image tag to roll back to, e.g. v1.4.2). Usage: `/rollback <tag>`',
    );
  });

  test('suggests the closest command for typos and wrong case', () => {
    expect(error('/restrat').suggestion).toBe('restart');
    expect(error('/Restart').suggestion).toBe('restart');
    expect(error('/diagnos app').suggestion).toBe('diagnose');
    expect(error('/frobnicate').suggestion).toBeUndefined();
  });

  test('shows invisible characters instead of hiding them', () => {
    const refused = error('/rest\u200Bart');
    expect(refused.message).toContain('U+200B');
    expect(refused.suggestion).toBe('restart');
  });

  test('refuses too many arguments and unclosed quotes', () => {
    expect(error('/restart now please').message).toContain('one too many');
    expect(error('/rollback "v1').message).toContain('never closed');
  });
});

describe('invisible characters', () => {
  test.each([
    ['/restart\ufeff', 'FEFF'],
    ['/roll\u00adback v1.1.0', '00AD'],
    ['/rollback v1.1.0\u200b', '200B'],
    ['/\u202erestart', '202E'],
  ])('%j is refused, naming the character', (text, code) => {
    expect(error(text).message).toBe(
      `the command contains an invisible character (U+${code}); retype it without copying`,
    );
  });
});
