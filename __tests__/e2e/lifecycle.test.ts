import { ssh, useDeployHost } from '../../harness/deploy/for-tests.ts';
import { sshInputs, startIncidentWorkspace } from '../../harness/scenario.ts';
import { lifecycleCases } from '../cases/lifecycle.ts';

// Through the bundle, against the real deployment host: its health checks, metrics and assessment.
const host = useDeployHost();

lifecycleCases(async ({ runbook, roles, inputs, clock }) => {
  const { emulator, scenario } = await startIncidentWorkspace({
    runbook,
    roles,
    inputs: { ...sshInputs(host()), ...inputs },
    clock,
  });
  return {
    emulator,
    scenario,
    app: {
      fail: async () =>
        void (await ssh(host(), 'curl -fsS -X POST "$KB_URL/admin/fault?mode=unhealthy" >/dev/null')),
      clear: async () =>
        void (await ssh(host(), 'curl -fsS -X POST "$KB_URL/admin/fault?mode=clear" >/dev/null')),
    },
  };
});
