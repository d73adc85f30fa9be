import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sourceStack } from '../../src/runner/stack.ts';

const bundle = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const lineOf = (text: string, needle: string) => {
  const index = text.indexOf(needle);
  expect(index).toBeGreaterThan(0);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
};

test('a stack trace of the shipped bundle points at src/, through the source maps next to it', () => {
  const at = lineOf(readFileSync(bundle, 'utf8'), 'function queueStep(');
  const source = lineOf(
    readFileSync(new URL('../../src/commands/queue.ts', import.meta.url), 'utf8'),
    'export function queueStep(',
  );
  const stack = `Error: boom\n    at queueStep (file://${bundle}:${at.line}:${at.column})\n    at node:internal/process/task_queues:105:5`;
  const mapped = sourceStack(stack);
  expect(mapped).toContain(`at queueStep (src/commands/queue.ts:${source.line}:`);
  // Frames outside the bundle stay as they were.
  expect(mapped).toContain('at node:internal/process/task_queues:105:5');
});

test('without a source map, a frame stays as it was', () => {
  const stack = 'Error: boom\n    at run (/opt/somewhere/index.js:10:5)';
  expect(
    sourceStack(stack, () => {
      throw new Error('no map');
    }),
  ).toBe(stack);
});

test('a hostile message (a file URL that cannot be a path, a long run of slashes) is left as it was', () => {
  const stack = `Error: file:///x%2fy.js:1:1 ${'/'.repeat(100_000)}.js:1:1\n    at run (file:///x%2fy.js:3:4)`;
  expect(sourceStack(stack)).toBe(stack);
});
