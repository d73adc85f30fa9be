import { z } from 'zod';
import { removeWorkdir, type WorkdirTracker } from '../executor/workdir.ts';

/** The name under which the main step tells the post step which SSH folders to remove. */
export const WORKDIR_STATE = 'ssh-workdirs';

const stateSchema = z.array(z.string().min(1).max(4096)).max(100);

/**
 * Keeps the list of SSH folders the run created, saved to the runner's state as it changes: if the
 * run is killed outright, the `post:` step (which the runner runs even for a cancelled job) reads
 * it and removes what is left. Signal and exit handlers remove them too.
 */
export function createWorkdirRegistry(options: {
  runnerTemp: string;
  saveState: (name: string, value: string) => void;
  warn: (message: string) => void;
}): WorkdirTracker & { removeAll(): void } {
  const dirs = new Set<string>();
  const save = () => options.saveState(WORKDIR_STATE, JSON.stringify([...dirs]));
  return {
    track(dir) {
      dirs.add(dir);
      save();
    },
    untrack(dir) {
      dirs.delete(dir);
      save();
    },
    removeAll() {
      for (const dir of [...dirs]) {
        try {
          removeWorkdir(dir, options.runnerTemp);
        } catch (error) {
          options.warn(`Could not remove ${dir}: ${String(error)}`);
        }
        dirs.delete(dir);
      }
      save();
    },
  };
}

/** The post step: removes every folder the main step listed and did not remove itself. */
export function removeListedWorkdirs(
  state: string,
  runnerTemp: string,
  log: (message: string) => void,
): number {
  if (state.trim() === '') return 0;
  const parsed = stateSchema.safeParse(JSON.parse(state));
  if (!parsed.success) throw new Error(`the ${WORKDIR_STATE} state is not a list of folders`);
  let removed = 0;
  for (const dir of parsed.data) {
    removeWorkdir(dir, runnerTemp);
    log(`Removed ${dir} (SSH key, known_hosts and connection of a run that did not end normally).`);
    removed += 1;
  }
  return removed;
}
