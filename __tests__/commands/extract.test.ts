import { extractCommandLines } from '../../src/commands/extract.ts';

const names = (body: string) => extractCommandLines(body).map((line) => `${line.name} ${line.rest}`.trim());

/** The same comment with LF, CRLF and CR line endings. */
const endings = (body: string) => [body, body.replace(/\n/g, '\r\n'), body.replace(/\n/g, '\r')];
/** The same comment with its tag names in upper and mixed case. */
const tagCases = (body: string) => [
  body.replace(/<(\/?)([a-z]+)/g, (_, slash: string, name: string) => `<${slash}${name.toUpperCase()}`),
  body.replace(/<(\/?)([a-z])/g, (_, slash: string, first: string) => `<${slash}${first.toUpperCase()}`),
];

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
      '   /status',
    ];
    expect(names(body.join('\n'))).toEqual(['status']);
    expect(names('\t/restart')).toEqual([]);
  });

  test('ignores commands inside HTML comments, single- and multi-line', () => {
    const body = ['<!-- /restart -->', '<!--', '/backup', '-->', '<!-- a --> /health', '', '/status'];
    expect(names(body.join('\n'))).toEqual(['status']);
  });

  test('ignores commands inside <details> blocks, as copied action output is', () => {
    const body = ['<details><summary>old</summary>', '', '/restart', '</details>', '', '/health'];
    expect(names(body.join('\n'))).toEqual(['health']);
  });

  test('keeps the typed name even when it is not valid, so the reply can say what was wrong', () => {
    expect(extractCommandLines('/Restart now')[0]).toMatchObject({ name: 'Restart', rest: 'now', line: 1 });
    expect(extractCommandLines('／restart')).toEqual([]);
  });

  test('handles CRLF and CR line endings', () => {
    expect(names('/ack\r\n/health\r\n')).toEqual(['ack', 'health']);
    expect(names('/ack\r/health\r')).toEqual(['ack', 'health']);
  });
});

describe('extractCommandLines, quoted and copied text', () => {
  test('lazy continuation lines of a block quote are part of the quote', () => {
    expect(names('> earlier output\n/restart\n\n/health')).toEqual(['health']);
    expect(names('> > nested\n/restart\nand more\n/backup\n\n/health')).toEqual(['health']);
  });

  test('<blockquote> and <pre> blocks hold no commands', () => {
    const body = '<blockquote>\n/restart\n</blockquote>\n<pre>\n/backup\n</pre>\n\n/status';
    expect(names(body)).toEqual(['status']);
  });

  test('an HTML block runs to the next blank line, and what follows the tag in it is not a command', () => {
    expect(names('<details><summary>old</summary>\n\n/restart\n</details>\n/health')).toEqual([]);
    expect(names('<div>\n/backup\n</div>\n/status')).toEqual([]);
  });

  test('a <pre>, <script>, <style> or <textarea> block ends at the line of its end tag', () => {
    expect(names('<pre>\n/backup\n</pre>\n/status')).toEqual(['status']);
    expect(names('<textarea>\n/backup\n</textarea>\n/status')).toEqual(['status']);
  });

  test('tags inside inline code do not hide later commands', () => {
    expect(names('the `<details>` tag and `<!--` are text\n/health')).toEqual(['health']);
  });
});

/** Constructs that hide a `/restart` from view; a command after them, past a blank line, is read. */
const HIDING_CLOSED = [
  // An unbalanced backtick does not stop CommonMark from opening an inline HTML comment.
  'x `y <!--\n/restart\n-->',
  'x ``y <!--\n/restart\n-->',
  '`a` `b <!-- \n/restart\n\t-->',
  'x `y <!--\n\t/restart -->',
  // A tag whose quoted attribute runs over several lines.
  '<img src="x.png" alt="a\n/restart\n">',
  "see <img alt='x\n/restart\ny'> here",
  '<img title="a > b\n/restart\n" src=x>',
  '<img alt="\n/restart">',
  'x <span\ntitle="a\n/restart\nb">y</span>',
  // `<details` with its `>` on the next line starts an HTML block.
  '<details\n>\n/restart\n</details>',
  '<details\n>\n\n/restart\n\n</details>',
  '<details\n  class="x"\n>\n/restart\n</details>',
  '<details\topen>\n\n/restart\n\n</details>',
  // Paragraphs inside an element that earlier HTML opened.
  '<details>\n\n/restart\n\n</details>',
  '<details><summary>old output</summary>\n\n/restart\n\n</details>',
  '<details>\n<summary>old output</summary>\n\n/restart\n\n</details>',
  '<details title="a > b">\n\n/restart\n\n</details>',
  "<details title='</details>'>\n\n/restart\n\n</details>",
  '<details>\n<details>\n\n</details>\n\n/restart\n\n</details>',
  '<div>\n\n/restart\n\n</div>',
  '<div class="a">\n<div>\n\n/restart\n\n</div>\n</div>',
  '<code>\n/restart\n</code>',
  '<code>\n\n/restart\n\n</code>',
  '<blockquote>\n\n/restart\n\n</blockquote>',
  '<pre>\n\n/restart\n\n</pre>',
  '<table><tr><td>\n\n/restart\n\n</td></tr></table>',
  '<ul><li>\n\n/restart\n\n</ul>',
  '<details>\n<!-- </details> -->\n\n/restart\n\n</details>',
  '<details>\n<br>\n<img src=x>\n<hr/>\n\n/restart\n\n</details>',
  'x <details>\n/restart\n</details>',
  '- <details>\n\n  /restart\n\n  </details>',
  '> <details>\n>\n> /restart\n>\n> </details>',
  // Fenced code inside a list item or a quote.
  '- ```\n  /restart\n  ```',
  '* ~~~\n  /restart\n  ~~~',
  '1. ```sh\n   /restart\n   ```',
  '- a\n\n  ```\n  /restart\n  ```',
  '> ```\n> /restart\n> ```',
  '- > ```\n  > /restart\n  > ```',
  // Code spans over lines, math, footnotes, headings, tables, lists, emphasis, links.
  '`a\n/restart`',
  '``a\n/restart\n``',
  '$$\n/restart\n$$',
  '$a\n/restart$',
  'x $$a\n/restart$$',
  '[^1]: /restart',
  '[^1]: note\n    /restart',
  '# /restart',
  '/restart\n---',
  '/restart\n===',
  '| /restart |\n| --- |',
  '| a |\n| --- |\n| /restart |',
  '- /restart',
  '1. /restart',
  '- [ ] /restart',
  '**/restart**',
  '*/restart*',
  '_/restart_',
  '~~/restart~~',
  '[/restart](https://example.com)',
  '![/restart](x.png)',
  '<https://example.com>/restart',
  '*a\n/restart*',
  '[a\n/restart](x)',
  '> a\n/restart',
  '    /restart',
  'please /restart',
  '<!--\n/restart\n-->',
  '<!-- /restart -->',
  '<?php\n/restart\n?>',
  '<![CDATA[\n/restart\n]]>',
];

/** Constructs left open to the end of the comment: nothing after them is a command. */
const HIDING_UNCLOSED = [
  '<details>\n\n/restart',
  '<details/>\n\n/restart', // browsers ignore the slash on a non-void element
  '<div title="a\n\n/restart">',
  "<div title='a\n\n/restart'>",
  '<details\n\n/restart',
  '<!--\n/restart',
  '> <!--\n\n/restart',
  '- <!--\n\n/restart',
  'x <details>\n/restart',
  'x <!-- a --!> <details>\n\n/restart', // `--!>` ends a comment in browsers
  '<div>\n<!-- a --!> <details> -->\n</div>\n\n/restart',
  '<details>\n<div>\n\n</details>\n\n/restart', // misnested: some parsers keep the <details> open
  '<details><summary>x\n</details>\n\n/restart',
  '> <div>\n\n/restart',
  '<details>\n\n> </details>\n\n/restart', // an end tag in a quote does not close what is outside it
  '<details>\n\n| a |\n| - |\n| </details> |\n\n/restart',
  '<details>\n\n- </details>\n\n/restart',
  '<details>\n</summary>\n</div>\n\n/restart',
];

describe('extractCommandLines, what GitHub does not show as a line of its own', () => {
  test.each(HIDING_CLOSED)('%j holds no command, and a command after it is read', (body) => {
    for (const variant of [...endings(body), ...tagCases(body)]) {
      expect(names(variant)).toEqual([]);
      expect(names(`${variant}\n\n/health`)).toEqual(['health']);
    }
  });

  test.each(HIDING_UNCLOSED)('%j hides every command after it', (body) => {
    for (const variant of [...endings(body), ...tagCases(body)]) {
      expect(names(`${variant}\n\n/health\n\nmore\n/status`)).toEqual([]);
    }
  });

  test('with tabs instead of spaces between attributes and lines', () => {
    expect(names('<details\tclass="x"\n>\n\n/restart\n\n</details>\n\n/health')).toEqual(['health']);
    expect(names('<img\talt="a\n\t/restart\n\t">\n\n/health')).toEqual(['health']);
  });

  test('a character reference for a line break is a space on the screen, not a new line', () => {
    for (const reference of ['&#10;', '&#x0a;', '&#X0A;', '&#0010;', '&NewLine;', '&#13;', '&#xD;']) {
      const [line, ...others] = extractCommandLines(`/diagnose app${reference}/restart`);
      expect(others).toEqual([]);
      expect(line?.name).toBe('diagnose');
      expect(line?.rest).toMatch(/^app[\n\r]\/restart$/);
      expect(names(`note${reference}/restart`)).toEqual([]);
    }
    expect(names('/a\n&#10;/b')).toEqual(['a']);
  });

  test('a deep pile of containers or openers does not hang the parse', () => {
    expect(names(`${'> '.repeat(30_000)}/restart`)).toEqual([]);
    expect(names(`${'- '.repeat(20_000)}/restart`)).toEqual([]);
    const [opened] = extractCommandLines(`${'<!--'.repeat(16_000)}\n\n/restart`);
    expect(opened?.problem).toContain('too costly to read safely');
  });
});

describe('extractCommandLines, commands GitHub does show', () => {
  test.each([
    '```\n> a\n```\n/restart',
    '~~~\n> a\n~~~\n/restart',
    '````\n```\n> x\n````\n/restart',
    '```\n<details>\n<!--\n```\n/restart',
    '    <details>\n\n/restart',
    'please\n\t/restart',
    'please\n   /restart',
    '<p>\n\n/restart',
    '<details>\n\nold\n\n</details>\n\n/restart',
    '<details><summary>x</summary>\n<div>\n\n</div>\n</details>\n\n/restart',
    '<details>\n<summary>x</summary>\n</details>\n\n/restart',
    '<details title="a > b"></details>\n\n/restart',
    "<details title='<div>'></details>\n\n/restart",
    '<table><tr><td>a</table>\n\n/restart',
    '<ul><li>a<li>b</ul>\n\n/restart',
    '<br>\n\n/restart',
    '<img src=x>\n\n/restart',
    '<hr/>\n\n/restart',
    '<input type="checkbox" checked>\n\n/restart',
    '<!-->\n\n/restart',
    '<!--->\n\n/restart',
    '<!-- a -->\n/restart',
    '<![CDATA[ a ]]>\n\n/restart',
    '<?php a ?>\n\n/restart',
    '\\`x <!--\n/restart',
    '`a <!--` b\n/restart',
    'x <!-- a -->\n/restart',
    'x <b>y</b>\n/restart',
    'x <details></details>\n/restart',
    'x <details>y</details>\n/restart',
    'a  \n/restart',
    'a\\\n/restart',
    '**bold**\n/restart',
    'see [link](x)\n/restart',
    'see www.example.com\n/restart',
    '`a\nb` c\n/restart',
    '- item\n\n/restart',
    '> quote\n\n/restart',
    '| a |\n| - |\n\n/restart',
    '[^1]: note\n\n/restart',
    '$$\nx\n$$\n/restart',
    '&#47;restart',
    '\\/restart',
    '&sol;restart',
  ])('%j is read', (body) => {
    for (const variant of endings(body)) expect(names(variant)).toEqual(['restart']);
  });

  test('after a closed <details>, in any case of tag names', () => {
    for (const variant of tagCases('<details>\n\nold\n\n</details>\n\n/restart')) {
      expect(names(variant)).toEqual(['restart']);
    }
  });
});

describe('extractCommandLines, the text of a command line', () => {
  test('is the text as shown: entities and escapes decoded, code spans and emphasis as text', () => {
    expect(extractCommandLines('/logs *redis* --lines 5')[0]).toMatchObject({
      name: 'logs',
      rest: 'redis --lines 5',
      text: '/logs redis --lines 5',
    });
    expect(names('/logs **redis**')).toEqual(['logs redis']);
    expect(names('/logs _redis_')).toEqual(['logs redis']);
    expect(names('/restore `backup.sql.gz`')).toEqual(['restore backup.sql.gz']);
    expect(names('/restore backup`id`.sql.gz')).toEqual(['restore backupid.sql.gz']);
    expect(names('/update a &amp; b')).toEqual(['update a & b']);
    expect(names('/update \\*x\\* \\<b>')).toEqual(['update *x* <b>']);
    expect(names('/update &lt;b&gt; &quot;q&quot;')).toEqual(['update <b> "q"']);
    expect(names('/update 2 * 3 * 4')).toEqual(['update 2 * 3 * 4']);
  });

  test('trims only spaces and tabs, and keeps tabs between arguments', () => {
    expect(extractCommandLines('  /logs\tredis\t--lines 5 \t')[0]).toMatchObject({
      name: 'logs',
      rest: 'redis\t--lines 5',
      text: '/logs\tredis\t--lines 5',
    });
  });

  test('keeps invisible and unusual space characters for the caller to refuse', () => {
    const cases: [string, string, string][] = [
      ['/diagnose db\u2028more', 'diagnose', 'db\u2028more'],
      ['/diagnose db\u2029more', 'diagnose', 'db\u2029more'],
      ['/diagnose db\u0085more', 'diagnose', 'db\u0085more'],
      ['/diagnose\u2028db', 'diagnose', '\u2028db'],
      ['/restart\u00a0now', 'restart', '\u00a0now'],
      ['/restart\u3000now', 'restart', '\u3000now'],
      ['/restart now\u200b', 'restart', 'now\u200b'],
      ['/restart\ufeff', 'restart', '\ufeff'],
      ['/rest\u200bart', 'rest\u200bart', ''],
      ['/restart &nbsp;now', 'restart', '\u00a0now'],
    ];
    for (const [body, name, rest] of cases) {
      expect(extractCommandLines(body)).toEqual([expect.objectContaining({ name, rest })]);
    }
  });

  test('line numbers are those of the comment body, with any line endings', () => {
    const body = 'a\n\n```\nx\n```\n/one\n\n> q\n\n/two\nx `a\nb` c\n/three\nd  \n/four';
    for (const variant of endings(body)) {
      expect(extractCommandLines(variant).map((line) => line.line)).toEqual([6, 10, 13, 15]);
    }
  });

  test('a code span over a line ending makes its lines code', () => {
    expect(names('x `a\n/restart` b')).toEqual([]);
    expect(names('/logs `redis\n--lines 5`')).toEqual(['logs redis --lines 5']);
  });
});

describe('extractCommandLines, lines that read as commands but show more than text', () => {
  const problem = (body: string) => extractCommandLines(body).map((line) => line.problem);

  test.each([
    ['/restart <b>now</b>', 'the command line contains HTML (`<b>`); write the command as plain text'],
    ['/restart <span title="a > b">x</span>', 'the command line contains HTML (`<span title="a > b">`)'],
    ['/rollback v1.1.0<!-- and more -->', 'the command line contains HTML (`<!-- and more -->`)'],
    ['/restart <BR>', 'the command line contains HTML (`<BR>`)'],
    ['/rollback [v1.1.0](https://example.com)', 'the command line contains a link'],
    ['/rollback [v1][r]\n\n[r]: https://example.com', 'the command line contains a link'],
    ['/diagnose ~~app~~ db', 'the command line contains struck-through text (`~~app~~`)'],
    ['/diagnose ~app~', 'the command line contains struck-through text'],
    ['/rollback $v1.1.0$', 'the command line contains math (`$v1.1.0$`)'],
    ['/rollback $$v1$$', 'the command line contains math'],
    ['/restart ![now](x.png)', 'the command line contains an image (`![now](x.png)`)'],
    ['/restart ![now][i]\n\n[i]: x.png', 'the command line contains an image'],
    ['/restart[^1]\n\n[^1]: now', 'the command line contains a footnote reference (`[^1]`)'],
    ['/restart *<b>now</b>*', 'the command line contains HTML (`<b>`)'],
    ['/restart **[now](x)**', 'the command line contains a link'],
    ['/restart <span\ntitle="x">now</span>', 'the command line contains HTML (`<span title="x">`)'],
  ])('%j is returned with a problem', (body, message) => {
    for (const variant of endings(body)) {
      const [first] = problem(variant);
      expect(first).toContain(message);
      expect(first).toMatch(/; write the command as plain text/);
    }
  });

  test('a bare address shows exactly its text, so it is read as text (the argument rules still apply)', () => {
    for (const body of [
      '/update see https://status.example.com/x now',
      '/update www.example.com is slow',
      '/update <https://example.com/>',
      '/update mail dana@example.com',
    ])
      expect(problem(body)).toEqual([undefined]);
    expect(extractCommandLines('/update <https://example.com/>')[0]?.rest).toBe('https://example.com/');
  });

  test('only the line with the markup has the problem', () => {
    expect(problem('/restart <b>now</b>\n/health')).toEqual([expect.any(String), undefined]);
    expect(problem('x <b>y</b>\n/health')).toEqual([undefined]);
  });
});

describe('extractCommandLines, long comments', () => {
  test('a 65,536-character comment with thousands of lines gives exactly its visible commands', () => {
    const parts: string[] = [];
    const expected: string[] = [];
    for (let i = 0; parts.join('\n').length < 60_000; i += 1) {
      expected.push(`logs s${i}`);
      parts.push(
        `note ${i} &amp; \`code\``,
        `/logs s${i}`,
        '```',
        '/restart',
        '```',
        '<!-- /backup -->',
        '> /rollback v1.1.0',
        '',
      );
    }
    let body = parts.join('\n');
    body += `\n${'x'.repeat(65_536 - body.length - 1)}`;
    expect(body.length).toBe(65_536);
    expect(body.split('\n').length).toBeGreaterThan(5_000);
    expect(body).not.toMatch(/[*_~[\]]/);
    expect(names(body)).toEqual(expected);
    expect(names(body.replace(/\n/g, '\r\n'))).toEqual(expected);
  });

  test('a long log in a fence does not keep a command after it from being read', () => {
    const log = Array.from({ length: 3_000 }, (_, i) => `[INFO] worker_${i} *ptr <!-- x`).join('\n');
    expect(names(`Logs:\n\`\`\`\n${log}\n\`\`\`\n\n/restart`)).toEqual(['restart']);
  });

  test('much markup in a long comment: plain command lines are read, marked-up ones refused', () => {
    const markup = `${'*a* [b](c) ~d~ '.repeat(300)}\n\n`;
    const lines = extractCommandLines(`${markup}/restart\n\n/logs *redis*\n\n/logs redis [x]`);
    expect(lines.map((line) => [line.name, line.problem === undefined])).toEqual([
      ['restart', true],
      ['logs', false],
      ['logs', false],
    ]);
    expect(lines[1]?.problem).toContain('too much Markdown');
  });

  test('much markup: a bracketed address is not taken for an end tag that reveals what follows', () => {
    const markup = `${'[b](c) '.repeat(600)}\n\n`;
    expect(names(`${markup}<details>\n\n[x](</details>)\n\n/restart`)).toEqual([]);
  });

  test('thousands of lazy lines or deep nesting: the first command line is refused, not parsed', () => {
    const lazy = `> quote\n${'more\n'.repeat(3_000)}/restart now`;
    expect(extractCommandLines(lazy)).toEqual([
      {
        name: 'restart',
        rest: 'now',
        line: 3_002,
        text: '/restart now',
        problem: expect.stringContaining('too costly to read safely'),
      },
    ]);
    expect(extractCommandLines(`${'> '.repeat(40)}x\n\n/health`)[0]?.problem).toContain('nested');
    expect(extractCommandLines(`${'<![CDATA['.repeat(1_500)}\n\n/health`)[0]?.problem).toContain('`<!`');
    expect(extractCommandLines(`${'> '.repeat(40)}x`)).toEqual([]);
  });
});
