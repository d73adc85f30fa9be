import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * A stack trace whose frames in the bundle point at `src/`, through the source maps shipped next
 * to the bundle's files. The maps are read only here, when something went wrong: enabling Node's
 * own source-map support would read them on every run, before the first reaction.
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
  return stack.replace(
    /((?:file:\/\/)?\/[^\s():]+\.js):(\d+):(\d+)/g,
    (frame, file: string, line: string, column: string) => {
      const path = file.startsWith('file://') ? fileURLToPath(file) : file;
      const entry = mapOf(path)?.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry) || !entry.originalSource) return frame;
      const source = entry.originalSource.replace(/^.*?\/(src|node_modules)\//, '$1/');
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    },
  );
}
