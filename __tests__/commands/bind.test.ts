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
    expect(error('/restart postgres now').message).toContain('one too many');
    expect(error('/rollback "v1').message).toContain('never closed');
  });
});

describe('invisible characters', () => {
  test.each([
    ['/restart\ufeff', 'U+FEFF ZERO WIDTH NO-BREAK SPACE'],
    ['/roll\u00adback v1.1.0', 'U+00AD SOFT HYPHEN'],
    ['/rollback v1.1.0\u200b', 'U+200B ZERO WIDTH SPACE'],
    ['/\u202erestart', 'U+202E RIGHT-TO-LEFT OVERRIDE'],
    ['/diagnose db\u2028more', 'U+2028 LINE SEPARATOR'],
    ['/diagnose db\u2029more', 'U+2029 PARAGRAPH SEPARATOR'],
    ['/diagnose db\u0085more', 'U+0085 NEXT LINE'],
    ['/diagnose\u2028db', 'U+2028 LINE SEPARATOR'],
    ['/restart\u00a0now', 'U+00A0 NO-BREAK SPACE'],
    ['/diagnose\u2003app', 'U+2003 EM SPACE'],
    ['/diagnose app\u2002', 'U+2002 EN SPACE'],
    ['/restart\u3000now', 'U+3000 IDEOGRAPHIC SPACE'],
    ['/restart\u202fnow', 'U+202F NARROW NO-BREAK SPACE'],
    ['/rollback v1.1.0\u2066', 'U+2066 LEFT-TO-RIGHT ISOLATE'],
    ['/diagnose app&#10;/restart', 'U+000A LINE FEED'],
    ['/diagnose app&#13;/restart', 'U+000D CARRIAGE RETURN'],
    ['/diagnose app&NewLine;db', 'U+000A LINE FEED'],
    ['/restart &nbsp;', 'U+00A0 NO-BREAK SPACE'],
    ['/restart\ue000', 'U+E000'], // private use
    ['/restart\u0378', 'U+0378'], // unassigned
    ['/restart\udbff', 'U+DBFF'], // a lone surrogate
    ['/restart\u{e0041}', 'U+E0041'], // a tag character
  ])('%j is refused, naming the character', (text, described) => {
    expect(error(text).message).toBe(
      `the command contains an invisible character (${described}); retype it without copying`,
    );
  });

  test('the suggestion leaves the invisible characters out', () => {
    expect(error('/restart\u2028now').suggestion).toBe('restart');
    expect(error('/rest\u2060art').suggestion).toBe('restart');
  });

  test('tabs between arguments are fine', () => {
    expect(args('/logs\tslack-kb-redis\t--lines\t20')).toEqual({ service: 'slack-kb-redis', lines: 20 });
  });
});

describe('lines that show more than text', () => {
  test('are refused with the problem as the message, before the name is looked up', () => {
    const refused = error('/restart <b>now</b>');
    expect(refused.message).toBe('the command line contains HTML (`<b>`); write the command as plain text');
    expect(refused.suggestion).toBe('restart');
    expect(error('/restrat ~~now~~').suggestion).toBe('restart');
    expect(error('/frobnicate [x](y)').suggestion).toBeUndefined();
    expect(error('/rollback [v1.1.0](https://example.com)').message).toContain('contains a link');
    expect(error('/rollback $v1.1.0$').message).toContain('contains math');
  });

  test('a problem set by the caller wins over everything else', () => {
    const [line] = extractCommandLines('/rollback v1.1.0');
    if (!line) throw new Error('no command');
    const result = bindCommand({ ...line, problem: 'not today' }, registry);
    expect(result).toEqual({
      ok: false,
      error: { line: { ...line, problem: 'not today' }, message: 'not today', suggestion: 'rollback' },
    });
  });

  test('emphasis and code spans are text', () => {
    expect(args('/rollback *v1.1.0*')).toEqual({ tag: 'v1.1.0' });
    expect(args('/logs `slack-kb-redis` --lines **20**')).toEqual({ service: 'slack-kb-redis', lines: 20 });
  });
});
