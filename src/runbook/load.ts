import type { RunbookProblem } from '../config/runbook.ts';
import type { Runbook } from '../config/runbook.schema.ts';
import { BUILTIN_RUNBOOK_YAML } from './builtin.ts';

/** The `runbook` input's value that selects the built-in runbook. */
export const BUILTIN_RUNBOOK = 'builtin';

export type LoadedRunbook = (
  | { ok: true; runbook: Runbook }
  | {
      ok: false;
      errors: string[];
      problems: RunbookProblem[];
      /**
       * What still holds while the file is broken: its severities and verification where those
       * parts are valid (else the built-in runbook's severities and no verification), no runbook
       * commands. `/help` and the lifecycle commands use it, so that an incident goes on.
       */
      fallback: Runbook;
    }
) & { source: string };

/**
 * The runbook the `runbook` input names: `builtin`, or a file in the repository read through the
 * GitHub API (the workflow needs no checkout step). A file that is missing is an error that says
 * so: falling back to the built-in runbook would run another service's remediations on this host.
 */
export async function loadRunbook(
  path: string,
  where: 'on the default branch' | 'here',
  readFile: (path: string) => Promise<string | undefined>,
): Promise<LoadedRunbook> {
  // Loaded when a run first needs it (after its claim): the YAML parser and the runbook schema
  // are not on the way to the first reaction.
  const { parseRunbook, fallbackRunbook } = await import('../config/runbook.ts');
  const builtin = () => {
    const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in runbook');
    if (!parsed.ok) throw new Error(`the built-in runbook is invalid: ${parsed.errors.join('; ')}`);
    return parsed.runbook;
  };
  if (path === BUILTIN_RUNBOOK) return { ok: true, runbook: builtin(), source: 'built-in runbook' };
  const text = await readFile(path);
  if (text === undefined) {
    const sibling = otherExtension(path);
    const found = sibling !== undefined && (await readFile(sibling)) !== undefined ? sibling : undefined;
    const message = found
      ? `there is no file at this path, but there is ${found}: rename it, or ${where === 'here' ? 'give that path' : `set the runbook input to ${found}`}`
      : where === 'here'
        ? `there is no file at this path: give the runbook's path, or "${BUILTIN_RUNBOOK}" for the built-in Slack KB Agent docker-compose runbook`
        : `there is no file at this path on the default branch: add it, set the runbook input to where it is, or set it to "${BUILTIN_RUNBOOK}" for the built-in Slack KB Agent docker-compose runbook`;
    return {
      ok: false,
      problems: [{ path: [], message }],
      errors: [`${path}: ${message}`],
      fallback: fallbackRunbook(undefined, builtin()),
      source: path,
    };
  }
  const parsed = parseRunbook(text, path);
  if (parsed.ok) return { ...parsed, source: path };
  return { ...parsed, fallback: fallbackRunbook(text, builtin()), source: path };
}

function otherExtension(path: string): string | undefined {
  if (path.endsWith('.yml')) return `${path.slice(0, -4)}.yaml`;
  if (path.endsWith('.yaml')) return `${path.slice(0, -5)}.yml`;
  return undefined;
}
