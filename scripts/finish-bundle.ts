// Finishes what ncc built in dist/:
// - licenses.txt lists every package the bundle's files contain (read from their source maps:
//   ncc's own list leaves out what it splits into chunks), with its license text;
// - characters outside ASCII become \u escapes. Node then reads the files as one-byte text and V8
//   compiles them as such, which makes the bundle load faster (README, Figures). Every place such
//   a character can stand in JavaScript (strings, templates, regular expressions, identifiers,
//   comments) takes the escape with the same meaning.
//
//   node scripts/finish-bundle.ts dist dist/post
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

function packagesIn(folder: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { sources: string[] };
    for (const source of map.sources) {
      const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(source.replace(/^(\.\.?\/)+/, ''));
      if (match) found.set(match[2]!, join(ROOT, match[1]!, match[2]!));
    }
  }
  return found;
}

function licenseOf(dir: string): { license: string; text: string } {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { license?: string };
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  return {
    license: manifest.license ?? 'UNKNOWN',
    text: file ? readFileSync(join(dir, file), 'utf8').trim() : '',
  };
}

function asciiOnly(text: string): string {
  const parts: string[] = [];
  let backslashes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x7f) {
      parts.push(text[index]!);
      backslashes = text[index] === '\\' ? backslashes + 1 : 0;
      continue;
    }
    // `\é` (an identity escape) means `é`: its backslash goes, or it would escape the escape.
    if (backslashes % 2 === 1) parts.pop();
    parts.push(`\\u${code.toString(16).padStart(4, '0')}`);
    backslashes = 0;
  }
  return parts.join('');
}

for (const folder of process.argv.slice(2)) {
  const packages = [...packagesIn(folder)].sort(([a], [b]) => a.localeCompare(b));
  if (packages.length > 0 || existsSync(join(folder, 'licenses.txt'))) {
    const entries = packages.map(([name, dir]) => {
      const { license, text } = licenseOf(dir);
      return `${name}\n${license}\n${text}\n`;
    });
    writeFileSync(join(folder, 'licenses.txt'), entries.join('\n'));
  }
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.js'))) {
    const path = join(folder, file);
    writeFileSync(path, asciiOnly(readFileSync(path, 'utf8')));
  }
}
