// The lifecycle cases in process: the same flows and adapters as the bundle, with the emulator and
// a host that answers as the demo application does (healthy, or failing its health check).
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import { HEALTHY_METRICS as METRICS, lifecycleCases } from '../cases/lifecycle.ts';

lifecycleCases(async ({ runbook, roles, inputs, clock }) => {
  const { emulator, scenario, host } = await startInProcessWorkspace({ runbook, roles, inputs, clock });
  let healthy = true;
  host.respond = (script) => {
    if (script.includes('/health')) {
      return healthy
        ? { output: '{"status":"ok","version":"v1.2.0"}\n' }
        : { outcome: 'failed', exitCode: 22, output: 'curl: (22) The requested URL returned error: 503\n' };
    }
    if (script.includes('/metrics')) return { output: `${METRICS}\n` };
    if (script.includes('smoke-test')) return { output: 'query answered\n' };
    return {};
  };
  return {
    emulator,
    scenario,
    app: {
      fail: async () => {
        healthy = false;
      },
      clear: async () => {
        healthy = true;
      },
    },
  };
});
