import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeListedWorkdirs } from '../../src/runner/workdirs.ts';
import { createRunnerLog } from '../../src/runner/log.ts';

let root: string;
let runnerTemp: string;
let outside: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'workdirs-test-'));
  runnerTemp = join(root, 'runner-temp');
  outside = join(root, 'elsewhere');
  for (const dir of [runnerTemp, outside, join(runnerTemp, 'incident-ssh-abc'), join(runnerTemp, 'other')])
    mkdirSync(dir, { recursive: true });
  writeFileSync(join(runnerTemp, 'incident-ssh-abc', 'id'), 'key');
  writeFileSync(join(outside, 'precious'), 'x');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the post step', () => {
  test('removes the folders the main step listed', () => {
    const removed = removeListedWorkdirs(
      JSON.stringify([join(runnerTemp, 'incident-ssh-abc')]),
      runnerTemp,
      () => {},
    );
    expect(removed).toBe(1);
    expect(existsSync(join(runnerTemp, 'incident-ssh-abc'))).toBe(false);
  });

  test.each([
    ['a folder outside RUNNER_TEMP', () => outside],
    ['RUNNER_TEMP itself', () => runnerTemp],
    ['a folder not named as ours', () => join(runnerTemp, 'other')],
    ['a way out with ..', () => join(runnerTemp, 'incident-ssh-abc', '..', '..', 'elsewhere')],
    ['a nested folder', () => join(runnerTemp, 'incident-ssh-abc', 'incident-ssh-x')],
  ])('refuses %s and removes nothing', (_, target) => {
    expect(() => removeListedWorkdirs(JSON.stringify([target()]), runnerTemp, () => {})).toThrow(
      /refusing to remove/,
    );
    expect(existsSync(join(outside, 'precious'))).toBe(true);
    expect(existsSync(join(runnerTemp, 'other'))).toBe(true);
  });

  test('refuses state that is not a list of folders', () => {
    expect(() => removeListedWorkdirs('{"rm":"-rf /"}', runnerTemp, () => {})).toThrow(
      /not a list of folders/,
    );
    expect(removeListedWorkdirs('', runnerTemp, () => {})).toBe(0);
  });
});

describe('the runner log', () => {
  test('text that could hold a workflow command is fenced with stop-commands and a fresh token', () => {
    const lines: string[] = [];
    let counter = 0;
    const log = createRunnerLog(
      (text) => lines.push(text),
      (bytes) => Buffer.alloc(bytes, ++counter),
    );
    log('plain line');
    log('output\n::add-mask::secret\n  ##[set-output name=x]y');
    log('::error::again');
    expect(lines[0]).toBe('plain line');
    const [start, body, end] = lines.slice(1, 4);
    const token = /^::stop-commands::(incident-issueops-[0-9a-f]{32})$/.exec(start ?? '')?.[1];
    expect(token).toBeDefined();
    expect(body).toContain('::add-mask::secret');
    expect(end).toBe(`::${token}::`);
    // Each message gets its own token.
    expect(lines[4]).not.toBe(start);
  });
});
