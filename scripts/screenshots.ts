// Renders the demo's issue thread as GitHub renders it (GitHub Flavored Markdown, its HTML subset,
// Mermaid diagrams) and screenshots the status board and the postmortem with headless Chromium.
//
//   bash scripts/demo.sh                         (writes demo-output/issue-thread.md)
//   node scripts/screenshots.ts [demo-output]    (writes docs/screenshots/{board,postmortem}.png)
//
// Needs Debian's chromium (/usr/bin/chromium, or CHROMIUM=path); nothing is downloaded.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const input = resolve(process.argv[2] ?? join(ROOT, 'demo-output'));
const output = join(ROOT, 'docs/screenshots');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  process.stderr.write(`No Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM.\n`);
  process.exit(1);
}

/** The tags GitHub keeps in comment HTML that the thread uses; everything else is shown as text. */
const KEPT_TAGS = /^<\/?(details|summary|sub|sup|br|b|i|code|kbd)( open)?>$/i;

function render(markdown: string): string {
  const html = micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
  // As GitHub does: HTML comments (the action's records) vanish, other tags outside its subset show.
  return (
    html
      .replace(/<!--[\s\S]*?-->/g, '')
      // GitHub draws task list boxes live (for whoever may edit), not greyed out.
      .replace(/ disabled=""/g, '')
      .replace(/<pre><code class="language-(\w+)">/g, (_, language: string) =>
        language === 'mermaid' ? '<pre class="mermaid">' : '<pre><code>',
      )
      .replace(/(<pre class="mermaid">[\s\S]*?)<\/code><\/pre>/g, '$1</pre>')
      .replace(/<\/?[a-z][^>]*>/gi, (tag) =>
        KEPT_TAGS.test(tag) ||
        /^<\/?(h\d|p|ul|ol|li|table|thead|tbody|tr|th|td|pre|a|strong|em|hr|blockquote|input|del|img)\b/i.test(
          tag,
        )
          ? tag
          : tag.replace(/</g, '&lt;'),
      )
  );
}

/** The thread file as its comments: the header of each, then its Markdown. */
function comments(thread: string): { header: string; body: string }[] {
  return thread
    .split('\n---\n')
    .slice(1)
    .map((part) => {
      const text = part.trim();
      const newline = text.indexOf('\n');
      return { header: text.slice(0, newline), body: text.slice(newline + 1).trim() };
    });
}

const CSS = `
body { background: #fff; margin: 0; padding: 24px; width: 880px; font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; font-size: 14px; line-height: 1.5; color: #1f2328; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.comment > header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; border-radius: 6px 6px 0 0; }
.comment > header b { color: #1f2328; }
.body { padding: 16px; }
h1, h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; } h1 { font-size: 2em; } h2 { font-size: 1.5em; } h3 { font-size: 1.25em; } h4 { font-size: 1em; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; } th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
code { background: rgba(129,139,152,.12); border-radius: 6px; padding: .2em .4em; font-size: 85%; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #f6f8fa; border-radius: 6px; padding: 16px; overflow: auto; font-size: 85%; } pre code { background: none; padding: 0; }
pre.mermaid { background: #fff; }
ul { padding-left: 2em; } li.task-list-item, ul:has(> li > input) { list-style: none; } input[type=checkbox] { margin: 0 .2em .25em -1.4em; vertical-align: middle; accent-color: #1f883d; opacity: 1; }
blockquote { color: #59636e; border-left: .25em solid #d1d9e0; margin: 0 0 16px; padding: 0 1em; }
details { margin: 4px 0; } summary { cursor: pointer; } sub { color: #59636e; }
a { color: #0969da; text-decoration: none; }
`;

async function shoot(
  page: import('playwright-core').Page,
  comment: { header: string; body: string },
  file: string,
) {
  const header = render(comment.header).replace(/^<p>|<\/p>\s*$/g, '');
  await page.setContent(
    `<!doctype html><meta charset="utf-8"><style>${CSS}</style><div class="comment"><header>${header}</header><div class="body">${render(comment.body)}</div></div>`,
  );
  if (comment.body.includes('```mermaid')) {
    await page.addScriptTag({ path: join(ROOT, 'node_modules/mermaid/dist/mermaid.min.js') });
    await page.evaluate(async () => {
      const mermaid = (
        globalThis as unknown as { mermaid: { initialize(o: object): void; run(): Promise<void> } }
      ).mermaid;
      mermaid.initialize({ startOnLoad: false, theme: 'default' });
      await mermaid.run();
    });
  }
  await page.locator('.comment').screenshot({ path: file });
  process.stdout.write(`${file}\n`);
}

const thread = readFileSync(join(input, 'issue-thread.md'), 'utf8');
const all = comments(thread);
const board = all.find((comment) => /^## \S+ P\d — /m.test(comment.body));
const postmortem = all.find((comment) => comment.body.startsWith('# Postmortem:'));
if (!board || !postmortem) throw new Error(`${input}/issue-thread.md has no board or no postmortem`);
mkdirSync(output, { recursive: true });
const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 940, height: 900 }, deviceScaleFactor: 1 });
  await shoot(page, board, join(output, 'board.png'));
  await shoot(page, postmortem, join(output, 'postmortem.png'));
  // The whole thread as one page, for reading it as GitHub shows it.
  writeFileSync(
    join(input, 'issue-thread.html'),
    `<!doctype html><meta charset="utf-8"><style>${CSS} .comment { margin-bottom: 16px; }</style>${all
      .map(
        (comment) =>
          `<div class="comment"><header>${render(comment.header)}</header><div class="body">${render(comment.body)}</div></div>`,
      )
      .join(
        '\n',
      )}<script src="${join(ROOT, 'node_modules/mermaid/dist/mermaid.min.js')}"></script><script>mermaid.initialize({startOnLoad:true})</script>`,
  );
} finally {
  await browser.close();
}
