import { bindCommand } from '../../src/commands/bind.ts';
import { commandRegistry } from '../../src/commands/registry.ts';
import type { SshSettings } from '../../src/config/inputs.ts';
import { parseRunbook } from '../../src/config/runbook.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';
import { planCommand, type Plan } from '../../src/runbook/plan.ts';
import { extractCommandLines } from '../../src/commands/extract.ts';

const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const runbook = parsed.runbook;
const ssh: SshSettings = {
  host: 'kb-vm.internal',
  port: 22,
  user: 'deploy',
  privateKey: '',
  knownHosts: '',
  jumpHost: undefined,
  insecureSkipHostKeyCheck: false,
};

function plan(text: string): Plan {
  const [line] = extractCommandLines(text);
  if (!line) throw new Error('no command');
  const bound = bindCommand(line, commandRegistry(runbook));
  if (!bound.ok) throw new Error(bound.error.message);
  const planned = planCommand(bound.command, runbook, ssh, 300);
  if (!planned.ok) throw new Error(planned.message);
  return planned.plan;
}

const scripts = (p: Plan) => p.steps.map((step) => step.script);

describe('the built-in docker-compose runbook renders exactly the runbook commands', () => {
  test('/restart restarts the container and checks health', () => {
    const restart = plan('/restart');
    expect(scripts(restart)).toEqual(['docker-compose restart slack-kb-agent']);
    expect(restart.check?.script).toBe(
      'curl -f --retry 15 --retry-connrefused --retry-delay 2 http://slack-kb-agent:9090/health',
    );
    expect(restart.destructive).toBe(false);
    expect(restart.target).toEqual({ name: 'default', host: 'kb-vm.internal', port: 22, user: 'deploy' });
  });

  test('/rollback pulls the quoted tag, then brings the stack down and up, and is destructive', () => {
    const rollback = plan('/rollback v1.4.2');
    expect(scripts(rollback)).toEqual([
      "docker pull slack-kb-agent:'v1.4.2'",
      'docker-compose down',
      "SLACK_KB_AGENT_TAG='v1.4.2' docker-compose up -d",
    ]);
    expect(rollback.destructive).toBe(true);
    expect(rollback.timeoutSeconds).toBe(600);
  });

  test('/backup writes a timestamped file into data/backups and prints its size and sha256', () => {
    const [script] = scripts(plan('/backup'));
    expect(script).toContain('file="data/backups/emergency_$(date +%Y%m%d_%H%M%S).json.gz"');
    expect(script).toContain('slack-kb-db backup "$file"');
    expect(script).toContain('sha256sum "$file"');
  });

  test('/restore restores a named backup and needs maintain', () => {
    const restore = plan('/restore emergency_20261126_031500.json.gz');
    expect(scripts(restore)).toEqual([
      "slack-kb-db restore data/backups/'emergency_20261126_031500.json.gz'",
    ]);
    expect(restore.destructive).toBe(true);
    expect(runbook.commands.restore?.permission).toBe('maintain');
  });

  test('/health runs the four health checks of the runbook', () => {
    expect(scripts(plan('/health'))).toEqual([
      'curl -f http://slack-kb-agent:9090/health',
      'docker exec slack-kb-postgres pg_isready -U postgres',
      'docker exec slack-kb-redis redis-cli ping',
      'docker-compose ps',
    ]);
  });

  test('/logs quotes the service and the line count', () => {
    expect(scripts(plan('/logs slack-kb-postgres --lines 20'))).toEqual([
      "docker logs 'slack-kb-postgres' --tail='20' 2>&1",
    ]);
  });

  test.each([
    ['app', ['Check container status', 'Check resource usage', 'Check dependencies']],
    ['db', ['Check PostgreSQL status', 'Test database connectivity', 'Check connection pool']],
    ['memory', ['Check memory usage', 'Check knowledge base size']],
    ['errors', ['Check error logs', 'Check error metrics', 'Check API rate limits']],
  ])('/diagnose %s runs that scenario’s diagnosis steps', (scenario, steps) => {
    const diagnose = plan(`/diagnose ${scenario}`);
    expect(diagnose.steps.map((step) => step.name)).toEqual(steps);
  });

  test('/diagnose db runs pg_isready and counts active connections', () => {
    const text = scripts(plan('/diagnose db')).join('\n');
    expect(text).toContain('docker exec slack-kb-postgres pg_isready -U postgres');
    expect(text).toContain("WHERE state = 'active';");
  });

  test('docker stats never streams, so a step cannot hang', () => {
    const all = ['app', 'memory'].flatMap((s) => scripts(plan(`/diagnose ${s}`))).join('\n');
    expect(all.match(/docker stats[^\n]*/g)?.every((line) => line.includes('--no-stream'))).toBe(true);
  });
});
