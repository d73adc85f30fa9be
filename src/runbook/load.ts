import type { RunbookResult } from '../config/runbook.ts';
import { BUILTIN_RUNBOOK_YAML } from './builtin.ts';

export type LoadedRunbook = RunbookResult & { source: string };

/**
 * The repository's runbook file when it exists, else the built-in one. `readFile` goes through the
 * GitHub API so that the workflow needs no checkout step.
 */
export async function loadRunbook(
  path: string,
  readFile: (path: string) => Promise<string | undefined>,
): Promise<LoadedRunbook> {
  const text = await readFile(path);
  // Loaded when a run first needs it (after its claim): the YAML parser and the runbook schema
  // are not on the way to the first reaction.
  const { parseRunbook } = await import('../config/runbook.ts');
  if (text === undefined) {
    return { ...parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in runbook'), source: 'built-in runbook' };
  }
  return { ...parseRunbook(text, path), source: path };
}
