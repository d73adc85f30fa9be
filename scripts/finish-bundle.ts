// Writes dist/licenses.txt: every package the bundle's files contain (read from their source
// maps; ncc's own list leaves out what it splits into chunks), with its license text.
//
//   node scripts/finish-bundle.ts dist
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

for (const folder of process.argv.slice(2)) {
  const packages = [...packagesIn(folder)].sort(([a], [b]) => a.localeCompare(b));
  if (packages.length > 0 || existsSync(join(folder, 'licenses.txt'))) {
    const entries = packages.map(([name, dir]) => {
      const { license, text } = licenseOf(dir);
      return `${name}\n${license}\n${text}\n`;
    });
    writeFileSync(join(folder, 'licenses.txt'), entries.join('\n'));
  }
}
