// Starts the deployment host (sshd, supervisor, the app, PostgreSQL, Redis) once for the whole
// suite; test files find it through DEPLOY_HOST_STATE (harness/deploy/for-tests.ts). Plain
// JavaScript so that Jest loads it natively; Node 24 runs the TypeScript it imports.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDeployHost } from './deploy/host.ts';

export default async function globalSetup() {
  const state = await startDeployHost();
  const stateFile = join(mkdtempSync(join(tmpdir(), 'deploy-host-state-')), 'state.json');
  writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  process.env.DEPLOY_HOST_STATE = stateFile;
  console.log(`\ndeploy host up in ${state.startupMs} ms (sshd on 127.0.0.1:${state.sshPort})`);
}
