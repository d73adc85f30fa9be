import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SRC = new URL('../../src/', import.meta.url).pathname;
const files = readdirSync(SRC, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(SRC, file), 'utf8') }));
const using = (pattern: RegExp) =>
  files
    .filter(({ text }) => pattern.test(text))
    .map(({ file }) => file)
    .sort();

// Every path to the deployment host goes through flows/gate.ts, where the actor's permission is
// checked, dry-run is honoured and the host-key warning is added. A new path that bypasses it fails here.
test('only the gate runs plans, and only the gate and the composition root touch the executor', () => {
  expect(using(/\bexecutePlan\(/)).toEqual(['flows/execute.ts', 'flows/gate.ts']);
  // The one other path: the Alertmanager silence of `/ack` and the resolution. It runs two fixed
  // scripts (no comment text; the group's labels from the sealed record, inside a quoted
  // here-document), for a command whose permission was already checked, honours dry-run in the
  // handler, and the /ack reply carries the host-key warning (__tests__/flows/silence.test.ts).
  expect(using(/\bcreateExecutor\b/)).toEqual([
    'alerts/silence.ts',
    'flows/assemble.ts',
    'flows/dependencies.ts',
    'flows/execute.ts',
    'flows/gate.ts',
    'main.ts',
  ]);
  // The terminal client (cli/index.ts) is the other composition root: whoever holds the key at
  // the terminal runs the plan there, with the same executor and the same confirmation.
  expect(using(/\bcreateSshExecutor\b/)).toEqual(['cli/index.ts', 'executor/ssh.ts', 'main.ts']);
});

// Every comment the action writes goes through the writer: bounded, cleared of secrets, sealed.
// The terminal client posts as its user (the /journal comments of a replay), never a record.
test('only the writer calls createComment or updateComment (the cache and the adapter pass them on)', () => {
  expect(using(/\.(createComment|updateComment)\(/)).toEqual([
    'cli/index.ts',
    'flows/writer.ts',
    'github/issue-cache.ts',
    'github/octokit-adapter.ts',
  ]);
});
