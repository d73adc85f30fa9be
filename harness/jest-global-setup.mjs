// Starts the deployment host (sshd, supervisor, the app, PostgreSQL, Redis) once for the whole
// suite; test files find it through DEPLOY_HOST_STATE (harness/deploy/for-tests.ts). Plain
// JavaScript so that Jest loads it natively; Node 24 runs the TypeScript it imports.
//
// When the host cannot start, its cause (the step, the service's own log) is also written to
// .tmp/setup-failure.txt, which scripts/test.sh prints as the last lines of the run: Jest's own
// report of a failed global setup scrolls far above the end.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDeployHost } from './deploy/host.ts';

const REPORTS = process.env.TEST_SH_TMP ?? join(process.cwd(), '.tmp');
const FAILURE_FILE = join(REPORTS, 'setup-failure.txt');

export default async function globalSetup() {
  rmSync(FAILURE_FILE, { force: true });
  let state;
  try {
    state = await startDeployHost();
  } catch (error) {
    mkdirSync(REPORTS, { recursive: true });
    writeFileSync(
      FAILURE_FILE,
      `The test deployment host did not start, so no test ran.\n${error instanceof Error ? error.message : String(error)}\n`,
    );
    throw error;
  }
  const stateFile = join(mkdtempSync(join(tmpdir(), 'deploy-host-state-')), 'state.json');
  writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  process.env.DEPLOY_HOST_STATE = stateFile;
  console.log(`\ndeploy host up in ${state.startupMs} ms (sshd on 127.0.0.1:${state.sshPort})`);
}
