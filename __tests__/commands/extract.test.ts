import { extractCommandLines } from '../../src/commands/extract.ts';

const names = (body: string) => extractCommandLines(body).map((line) => `${line.name} ${line.rest}`.trim());

describe('extractCommandLines', () => {
  test('reads lines that start with a slash, in order, with their arguments', () => {
    expect(names('Looking now.\n/diagnose app\n\n/rollback v1.1.0\nthanks')).toEqual([
      'diagnose app',
      'rollback v1.1.0',
    ]);
  });

  test('ignores commands inside fenced code blocks, including tilde fences and longer fences', () => {
    const body = [
      '```',
      '/restart',
      '```',
      '~~~sh',
      '/backup',
      '~~~',
      '````',
      '```',
      '/rollback v1',
      '````',
      '/health',
    ].join('\n');
    expect(names(body)).toEqual(['health']);
  });

  test('ignores inline code, block quotes, indented code and mid-line slashes', () => {
    const body = [
      '`/restart`',
      '> /restart',
      '>/backup',
      '',
      '    /restart',
      'please /restart',
      '\t/restart',
      '   /status',
    ].join('\n');
    expect(names(body)).toEqual(['status']);
  });

  test('ignores commands inside HTML comments, single- and multi-line', () => {
    const body = ['<!-- /restart -->', '<!--', '/backup', '-->', '<!-- a --> /health', '/status'].join('\n');
    expect(names(body)).toEqual(['status']);
  });

  test('ignores commands inside <details> blocks, as copied action output is', () => {
    const body = ['<details><summary>old</summary>', '', '/restart', '</details>', '/health'].join('\n');
    expect(names(body)).toEqual(['health']);
  });

  test('keeps the typed name even when it is not valid, so the reply can say what was wrong', () => {
    expect(extractCommandLines('/Restart now')[0]).toMatchObject({ name: 'Restart', rest: 'now', line: 1 });
    expect(extractCommandLines('／restart')).toEqual([]);
  });

  test('handles CRLF line endings', () => {
    expect(names('/ack\r\n/health\r\n')).toEqual(['ack', 'health']);
  });
});

describe('extractCommandLines, quoted and copied text', () => {
  test('lazy continuation lines of a block quote are part of the quote', () => {
    expect(names('> earlier output\n/restart\n\n/health')).toEqual(['health']);
  });

  test('<blockquote> and <pre> blocks hold no commands', () => {
    expect(names('<blockquote>\n/restart\n</blockquote>\n<pre>\n/backup\n</pre>\n/status')).toEqual([
      'status',
    ]);
  });

  test('tags inside inline code do not hide later commands', () => {
    expect(names('the `<details>` tag and `<!--` are text\n/health')).toEqual(['health']);
  });
});
