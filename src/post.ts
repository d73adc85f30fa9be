import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { createRunnerLog } from './runner/log.ts';
import { removeListedWorkdirs, WORKDIR_STATE } from './runner/workdirs.ts';

/**
 * The action's `post:` step, which the runner runs after the job's steps even when the job was
 * cancelled: it removes whatever SSH folder (key, known_hosts, ssh's log, the master connection) a
 * killed main step could not remove itself.
 */
try {
  const log = createRunnerLog(core.info);
  const removed = removeListedWorkdirs(
    core.getState(WORKDIR_STATE),
    process.env.RUNNER_TEMP ?? tmpdir(),
    log,
  );
  log(removed > 0 ? `Cleaned up ${removed} SSH folder(s) left by the main step.` : 'Nothing to clean up.');
} catch (error) {
  core.warning(`Post step: ${error instanceof Error ? error.message : String(error)}`);
}
