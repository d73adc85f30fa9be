import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { stopDeployHost } from './deploy/host.ts';

export default async function globalTeardown() {
  const stateFile = process.env.DEPLOY_HOST_STATE;
  if (!stateFile) return;
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  const report = await stopDeployHost(state);
  rmSync(dirname(stateFile), { recursive: true, force: true });
  console.log(
    `deploy host down in ${report.stoppedMs} ms${report.killed.length ? `; had to kill ${report.killed.join(', ')}` : ''}`,
  );
}
