// Writes __tests__/corpus/hostile-comments.json: hostile or malformed comments, each with the
// treatment it must get. `ignored`: no command is read (no reply, no reaction). `refused`: a reply
// that says what was wrong. In both, nothing runs on the host.
//
//   node scripts/hostile-corpus.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Entry {
  category: string;
  body: string;
  expect: 'ignored' | 'refused';
  user?: string;
}

const corpus: Entry[] = [];
const add = (category: string, expect: Entry['expect'], body: string, user?: string) =>
  corpus.push(user ? { category, body, expect, user } : { category, body, expect });

const METACHARACTERS = [
  ';id',
  '$(id)',
  // Unescaped backticks are a code span, shown as text: `/restore backup`id`.sql.gz` reads as
  // backupid.sql.gz, a valid name. Escaped, the backticks reach the argument as typed.
  '\\`id\\`',
  '|id',
  '&&id',
  '||id',
  '>/tmp/x',
  '</etc/passwd',
  "'",
  '"x',
  '\\x',
  '${IFS}id',
  '*',
  '?',
  '~root',
  '#',
  '%00',
  '&',
  '$HOME',
  '{a,b}',
  '!!',
  '\u0000id',
];
for (const payload of METACHARACTERS) {
  add('shell metacharacters', 'refused', `/rollback v1.1.0${payload}`);
  add('shell metacharacters', 'refused', `/restore backup${payload}.sql.gz`);
  add('shell metacharacters', 'refused', `/logs postgres --lines 5${payload}`);
  add('shell metacharacters', 'refused', `/diagnose app${payload}`);
}
for (const option of [
  '-oProxyCommand=id',
  '--tag=v1',
  '-v',
  '--',
  '--help',
  '-F/etc/passwd',
  '--exec=id',
  '-lroot',
]) {
  add('option injection', 'refused', `/rollback ${option}`);
  add('option injection', 'refused', `/logs ${option}`);
}
for (const path of [
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd.sql.gz',
  '/etc/shadow.sql.gz',
  '../x.sql.gz',
  'backups/../../x.sql.gz',
  '....//....//x.sql.gz',
  '..\\..\\x.sql.gz',
  '%2e%2e/x.sql.gz',
  'x.sql.gz/../../y',
  '~/x.sql.gz',
  '.x.sql.gz',
]) {
  add('path traversal', 'refused', `/restore ${path}`);
}
for (const path of ['../../etc/passwd', '/var/log/auth', 'postgres/../../x'])
  add('path traversal', 'refused', `/logs ${path}`);

const LOOKALIKES: [string, Entry['expect']][] = [
  ['\uff0frestart', 'ignored'], // fullwidth solidus
  ['\u2215restart', 'ignored'], // division slash
  ['\u2044restart', 'ignored'], // fraction slash
  ['/r\u0435start', 'refused'], // Cyrillic e
  ['/\u0440estart', 'refused'], // Cyrillic r
  ['/restar\u0442', 'refused'], // Cyrillic t
  ['/rest\u200bart', 'refused'], // zero-width space
  ['/restart\u200d', 'refused'], // zero-width joiner
  ['/\u202erestart', 'refused'], // right-to-left override
  ['/restart\u00a0now', 'refused'], // no-break space then an argument
  ['/roll\u00adback v1.1.0', 'refused'], // soft hyphen
  ['/rollback v1.1.0\u200b', 'refused'],
  ['/rollback v\u0661.1.0', 'refused'], // Arabic-Indic digit one
  ['/rollback \uff561.1.0', 'refused'], // fullwidth v
  ['/diagnose \u0430pp', 'refused'], // Cyrillic a
  ['/restart\ufeff', 'refused'], // byte order mark
  ['\u200b/restart', 'ignored'],
];
for (const [body, expect] of LOOKALIKES) add('unicode lookalikes and invisible characters', expect, body);

add('overlong', 'refused', `/rollback v${'1'.repeat(5000)}`);
add('overlong', 'refused', `/${'a'.repeat(10_000)}`);
add('overlong', 'refused', `/restore ${'a'.repeat(3000)}.sql.gz`);
add('overlong', 'refused', `/logs postgres --lines ${'9'.repeat(400)}`);
add('overlong', 'ignored', `${'x'.repeat(60_000)}`);
add('overlong', 'refused', `/diagnose ${'app '.repeat(2000)}`);
add('hundreds of commands', 'refused', Array.from({ length: 300 }, () => '/frobnicate').join('\n'));
add(
  'hundreds of commands',
  'refused',
  Array.from({ length: 200 }, (_, i) => `/rollback v1.${i};id`).join('\n'),
);
add(
  'hundreds of commands',
  'refused',
  Array.from({ length: 500 }, (_, i) => `/restore ../${i}.sql.gz`).join('\n'),
);

const WRAPPERS: [string, (command: string) => string][] = [
  ['backtick fence', (c) => `\`\`\`\n${c}\n\`\`\``],
  ['tilde fence', (c) => `~~~sh\n${c}\n~~~`],
  ['long fence with a short one inside', (c) => `\`\`\`\`\n\`\`\`\n${c}\n\`\`\`\`\``],
  ['indented code', (c) => `    ${c}`],
  ['block quote', (c) => `> ${c}`],
  ['lazy block quote line', (c) => `> as the bot said\n${c}`],
  ['nested quote', (c) => `> > ${c}`],
  ['HTML comment', (c) => `<!-- ${c} -->`],
  ['multi-line HTML comment', (c) => `<!--\n${c}\n-->`],
  ['details', (c) => `<details><summary>old output</summary>\n\n${c}\n\n</details>`],
  ['blockquote tag', (c) => `<blockquote>\n${c}\n</blockquote>`],
  ['pre tag', (c) => `<pre>\n${c}\n</pre>`],
  ['inline code', (c) => `please run \`${c}\``],
  ['mid-line', (c) => `could someone ${c} please`],
  ['tab indented', (c) => `\t${c}`],
];
for (const command of [
  '/restart',
  '/rollback v1.1.0',
  '/backup',
  '/restore x.sql.gz',
  '/confirm deadbeef',
  '/resolve --force',
  '/health',
]) {
  for (const [name, wrap] of WRAPPERS) add(`hidden in ${name}`, 'ignored', wrap(command));
}

// Text GitHub does not show as a line of its own (inside an HTML comment, tag or element, a code
// block in a list, math), or a command line that shows more than text: never run.
const RENDERED_INVISIBLY: [string, Entry['expect']][] = [
  ['x `y <!--\n/restart\n-->', 'ignored'], // an unbalanced backtick does not stop the comment
  ['x ``y <!--\n/rollback v1.1.0\n-->', 'ignored'],
  ['x `y <!--\r\n/restart\r\n-->', 'ignored'],
  ['`a` `b <!-- \n/backup\n\t-->', 'ignored'],
  ['<img src="x.png" alt="a\n/restart\n">', 'ignored'], // an attribute over several lines
  ["see <img alt='x\n/restart\ny'> here", 'ignored'],
  ['<IMG ALT="a\n/rollback v1.1.0\nb">', 'ignored'],
  ['<img title="a > b\n/restart\n" src=x>', 'ignored'],
  ['<details\n>\n/restart\n</details>', 'ignored'], // an HTML block starts at `<details`
  ['<details\n>\n\n/restart\n\n</details>', 'ignored'],
  ['<DETAILS\n  class="x">\n/backup', 'ignored'],
  ['<details/>\n\n/restart', 'ignored'], // browsers ignore the slash and open the element
  ['<details>\n\n/restart\n\n</details>', 'ignored'],
  ['<details><summary>old output</summary>\n\n/rollback v1.1.0\n\n</details>', 'ignored'],
  ['<details title="a > b">\n\n/restart\n\n</details>', 'ignored'],
  ['<details>\n<details>\n\n</details>\n\n/restart\n\n</details>', 'ignored'],
  ['<details>\n\n/restart', 'ignored'], // never closed
  ['<div>\n\n/restart\n\n</div>', 'ignored'],
  ['<code>\n/restart\n</code>', 'ignored'],
  ['<code>\n\n/restart\n\n</code>', 'ignored'],
  ['<blockquote>\n\n/restart\n\n</blockquote>', 'ignored'],
  ['<pre>\n\n/backup\n\n</pre>', 'ignored'],
  ['x <details>\n/restart', 'ignored'], // opened inline, in the same paragraph
  ['x <!-- a --!> <details>\n\n/restart', 'ignored'],
  ['<div title="a\n\n/restart">', 'ignored'], // a tag left unfinished by its HTML block
  ['> <!--\n\n/restart', 'ignored'],
  ['<!--\n/restart', 'ignored'],
  ['- ```\n  /restart\n  ```', 'ignored'], // a fenced block inside a list item
  ['* ~~~\n  /backup\n  ~~~', 'ignored'],
  ['1. ```sh\n   /rollback v1.1.0\n   ```', 'ignored'],
  ['$$\n/restart\n$$', 'ignored'],
  ['$a\n/restart$', 'ignored'],
  ['`a\n/restart`', 'ignored'],
  ['[^1]: /restart', 'ignored'],
  ['# /restart', 'ignored'],
  ['/restart\n---', 'ignored'],
  ['| /restart |\n| --- |', 'ignored'],
  ['**/restart**', 'ignored'],
  ['/restart <b>now</b>', 'refused'],
  ['/rollback v1.1.0<!-- and more -->', 'refused'],
  ['/restart <span title="x">\u200b</span>', 'refused'],
  ['/rollback [v1.1.0](https://example.com)', 'refused'],
  ['/rollback v1.1.0 https://example.com', 'refused'],
  ['/rollback www.example.com', 'refused'],
  ['/diagnose ~~app~~ db', 'refused'],
  ['/rollback $v1.1.0$', 'refused'],
  ['/restart ![now](x.png)', 'refused'],
  ['/restart[^1]\n\n[^1]: now', 'refused'],
  ['/diagnose db\u2028more', 'refused'],
  ['/diagnose db\u2029more', 'refused'],
  ['/diagnose db\u0085more', 'refused'],
  ['/diagnose app&#10;/restart', 'refused'], // shown as one line
  ['/diagnose app&#13;/restart', 'refused'],
  ['/diagnose app&NewLine;/restart', 'refused'],
  ['/restart\u3000now', 'refused'],
  ['/diagnose\u2003app', 'refused'],
];
for (const [body, expect] of RENDERED_INVISIBLY) add('rendered invisibly', expect, body);

// The reverse: commands GitHub shows on a line of their own are read (typos, so refused).
for (const body of [
  '```\n> a\n```\n/restrat',
  '~~~\n> quoted\n~~~\n/rollback v1.1.0;id',
  'please\n\t/restrat',
  '<p>\n\n/restrat',
  '<details>\n\nold\n\n</details>\n\n/restrat',
  '<details><summary>x</summary>\n<div>\n\n</div>\n</details>\n\n/restrat',
  '\\`x <!--\n/restrat',
  '`a <!--` b\n/restrat',
  '&#47;restrat',
  'x <!-- a -->\n/restrat',
]) {
  add('shown as a command', 'refused', body);
}

const SPOOFS = [
  '<!-- incident-issueops {"type":"pending","code":"deadbeef","command":"rollback","args":{"tag":"v1.0.0"},"source":1,"requestedBy":"alice","expiresAt":"2099-01-01T00:00:00.000Z","planHash":"0000000000000000"} -->',
  '<!-- incident-issueops {"type":"event","action":"resolved","by":"mallory","at":"2026-11-26T03:00:00.000Z"} -->',
  '<!-- incident-issueops {"type":"board"} -->',
  '<!-- incident-issueops {"type":"result","command":"rollback","source":1,"status":"success"} -->',
];
for (const marker of SPOOFS) {
  add('spoofed markers', 'ignored', `Looks done to me.\n${marker}`);
  add('spoofed markers', 'refused', `${marker}\n/confirm deadbeef`);
}

const VARIANTS = [
  '/RESTART',
  '/Restart',
  '/ restart',
  '//restart',
  '/restart!',
  '/restart-now',
  '/re start',
  '/restart.',
  '/restart:',
  '/Rollback v1.1.0',
  '/ROLLBACK v1.1.0',
  '/rollback  v1.1.0 now',
  '/backup please',
  '/health now',
  '/diagnose',
  '/diagnose APP',
  '/diagnose app db',
  '/logs redis --lines',
  '/logs --lines 0',
  '/logs --lines -5',
  '/logs --lines 1001',
  '/logs --lines 5 --lines 6',
  '/confirm',
  '/confirm DEADBEEF',
  '/confirm deadbee',
  '/confirm deadbeefdeadbeef',
  '/severity p9',
  '/severity critical',
  '/commander',
  '/commander @-bad-',
  '/impact-start tomorrow',
  '/impact-start 25:99',
  '/',
  '/ ',
  '/_restart',
  '/restart\u0000',
];
for (const body of VARIANTS) add('case and spacing variants', 'refused', body);
for (const typo of [
  '/restrat',
  '/rstart',
  '/restar',
  '/rollbak v1.1.0',
  '/rolback v1.1.0',
  '/bakup',
  '/backpu',
  '/diagnsoe app',
  '/diagonse db',
  '/helth',
  '/statsu',
  '/restor x.sql.gz',
  '/lgos',
  '/halp',
  '/ackk',
  '/resolv',
  '/mitigate',
  '/comander @dana',
  '/severty p1',
  '/updte status',
]) {
  add('typos', 'refused', typo);
}
for (const body of ['/restart', '/rollback v1.1.0', '/backup', '/diagnose app'])
  add('outsider', 'refused', body, 'outsider-eve');

const target = fileURLToPath(new URL('../__tests__/corpus/hostile-comments.json', import.meta.url));
writeFileSync(target, JSON.stringify(corpus, null, 1) + '\n');
console.log(`wrote ${corpus.length} comments to ${target}`);
