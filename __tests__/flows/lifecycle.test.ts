// The lifecycle cases in process: the same flows and adapters as the bundle, with the emulator and
// a host that answers as the demo application does (healthy, or failing its health check).
import { startInProcessWorkspace } from '../../harness/in-process.ts';
import { lifecycleCases } from '../cases/lifecycle.ts';

const METRICS = [
  '# TYPE slack_kb_agent_error_rate gauge',
  'slack_kb_agent_error_rate 0.02',
  '# TYPE slack_kb_agent_query_duration_seconds histogram',
  'slack_kb_agent_query_duration_seconds_bucket{le="0.5"} 90',
  'slack_kb_agent_query_duration_seconds_bucket{le="1"} 99',
  'slack_kb_agent_query_duration_seconds_bucket{le="2.5"} 100',
  'slack_kb_agent_query_duration_seconds_bucket{le="+Inf"} 100',
  'slack_kb_agent_query_duration_seconds_sum 31.5',
  'slack_kb_agent_query_duration_seconds_count 100',
  'slack_kb_agent_memory_usage_bytes 104857600',
  'slack_kb_agent_memory_limit_bytes 536870912',
].join('\n');

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
