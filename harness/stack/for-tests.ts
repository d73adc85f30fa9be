// The real stack in a Jest file: started once for the file (or read from KB_STACK_STATE, which
// `node harness/stack/stack.ts up FILE` writes), stopped after it, and helpers that look at the host.
import { readFile } from 'node:fs/promises';
import { asDeployUser, resetStack, startStack, stopStack, type StackState } from './stack.ts';

/** The first run on a machine builds the Debian rootfs and the images: allow for it. */
const FIRST_START_MS = 30 * 60_000;

export function useStack(): () => StackState {
  let state: StackState | undefined;
  let own = false;
  beforeAll(async () => {
    const stateFile = process.env.KB_STACK_STATE;
    if (stateFile) {
      state = JSON.parse(await readFile(stateFile, 'utf8')) as StackState;
      await resetStack(state);
    } else {
      state = await startStack();
      own = true;
      process.stderr.write(`stack up in ${state.timings.total} ms: ${JSON.stringify(state.timings)}\n`);
    }
  }, FIRST_START_MS);
  afterAll(async () => {
    if (own && state) await stopStack(state);
  }, 120_000);
  return () => {
    if (!state) throw new Error('the stack is not up: read it inside a test, after beforeAll');
    return state;
  };
}

/** Runs `command` on the host as the deploy account, in its compose project; rejects on failure. */
export async function onStack(state: StackState, command: string, timeoutMs = 120_000): Promise<string> {
  const result = await asDeployUser(state, command, timeoutMs);
  if (result.code !== 0)
    throw new Error(`${command} exited ${result.code}:\n${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout.trim();
}
