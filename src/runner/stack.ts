import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** How much of a stack is mapped: enough for any real trace, never a cost. */
const MAX_LINES = 50;
const MAX_LINE_LENGTH = 1_000;
/** `    at fn (file:///…/dist/index.js:12:34)` or `    at /…/dist/index.js:12:34`. */
const FRAME = /^(\s+at (?:.*? \()?)((?:file:\/\/)?\/\S+?\.js):(\d+):(\d+)(\)?)$/;

/**
 * A stack trace whose frames in the bundle point at `src/`, through the source maps shipped next
 * to the bundle's files. The maps are read only here, when something went wrong: enabling Node's
 * own source-map support would read them on every run, before the first reaction. Never throws:
 * a frame it cannot map stays as it was.
 */
export function sourceStack(
  stack: string,
  readMap: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(readMap(`${file}.map`))));
      } catch {
        maps.set(file, undefined);
      }
    }
    return maps.get(file);
  };
  const mapLine = (line: string): string => {
    const match = line.length <= MAX_LINE_LENGTH ? FRAME.exec(line) : null;
    if (!match) return line;
    const [, head = '', file = '', row = '', column = '', tail = ''] = match;
    try {
      const path = file.startsWith('file://') ? fileURLToPath(file) : file;
      const entry = mapOf(path)?.findEntry(Number(row) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry) || !entry.originalSource) return line;
      const source = entry.originalSource.replace(/^.*?\/(src|node_modules)\//, '$1/');
      return `${head}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
    } catch {
      return line;
    }
  };
  const lines = stack.split('\n');
  return [...lines.slice(0, MAX_LINES).map(mapLine), ...lines.slice(MAX_LINES)].join('\n');
}
