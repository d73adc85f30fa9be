// CI's self-test job runs the action as users do (`uses: ./`) on the push or pull request that
// started CI. This runs the same inputs, read from the workflow file, through the bundle as the
// runner runs it, on GitHub's own example of a push event: it must answer and clean up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';
import { runAction } from '../../harness/run-action.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as {
  name: string;
  examples: unknown[];
}[];

let emulator: GitHubEmulator;
afterAll(async () => emulator?.close());

test('the self-test job’s step answers ignored/not-applicable, and its post step finds nothing to do', async () => {
  const ci = parse(readFileSync(`${ROOT}.github/workflows/ci.yml`, 'utf8')) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
  };
  const step = ci.jobs['self-test']?.steps.find((candidate) => candidate.uses === './');
  expect(step).toBeDefined();
  emulator = await startEmulator();
  const push = examples.find((entry) => entry.name === 'push')?.examples[0];
  const run = await runAction({
    eventName: 'push',
    payload: push,
    inputs: step?.with ?? {},
    apiUrl: emulator.url,
  });
  expect(run.exitCode).toBe(0);
  expect(run.outputs).toMatchObject({ status: 'ignored', reason: 'not-applicable' });
  expect(run.post?.exitCode).toBe(0);
  expect(run.post?.stdout).toContain('Nothing to clean up.');
  expect(emulator.requests).toEqual([]);
});
