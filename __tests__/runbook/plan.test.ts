import { bindCommand } from '../../src/commands/bind.ts';
import { commandRegistry } from '../../src/commands/registry.ts';
import type { SshSettings } from '../../src/config/inputs.ts';
import { parseRunbook } from '../../src/config/runbook.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';
import { planCommand, withEnvironment, type Plan } from '../../src/runbook/plan.ts';
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
  test('/restart restarts a service (the agent by default) and checks health, showing why when it fails', () => {
    const restart = plan('/restart');
    expect(scripts(restart)).toEqual(["docker-compose restart 'slack-kb-agent'"]);
    expect(scripts(plan('/restart postgres'))).toEqual(["docker-compose restart 'postgres'"]);
    expect(restart.check?.script).toContain(
      'curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true\nif ! curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"; then',
    );
    expect(restart.check?.script).toContain("docker-compose logs --no-color --tail=50 'slack-kb-agent'");
    expect(restart.check?.script).toContain('docker-compose config --quiet');
    expect(restart.destructive).toBe(false);
    expect(restart.target).toMatchObject({
      name: 'default',
      host: 'kb-vm.internal',
      port: 22,
      user: 'deploy',
    });
  });

  test('host settings are target variables with the seed’s defaults, not compose-network names', () => {
    expect(plan('/restart').target.env).toEqual({
      SLACK_KB_AGENT_URL: 'http://127.0.0.1:9090',
      PROMETHEUS_URL: 'http://127.0.0.1:9091',
      ALERTMANAGER_URL: 'http://127.0.0.1:9093',
      SLACK_API_URL: 'https://slack.com/api',
      OPENAI_API_URL: 'https://api.openai.com/v1',
    });
    const everything = Object.values(runbook.commands)
      .flatMap((command) => [...command.steps, ...(command.check ? [command.check] : [])])
      .map((step) => step.run)
      .join('\n');
    expect(everything).not.toMatch(/slack-kb-agent:9090|@postgres:5432/);
  });

  test('/rollback pulls the quoted tag, then brings the stack down and up, and is destructive', () => {
    const rollback = plan('/rollback v1.4.2');
    expect(scripts(rollback)).toEqual([
      "docker pull slack-kb-agent:'v1.4.2'",
      "touch .env\nsed -i '/^SLACK_KB_AGENT_TAG=/d' .env\necho SLACK_KB_AGENT_TAG='v1.4.2' >> .env\n",
      'docker-compose down',
      'docker-compose up -d',
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
      'curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"',
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

describe('target settings (env)', () => {
  test('each setting is a default the host session may override, quoted as one word', () => {
    const script = withEnvironment({ APP_URL: "http://h:1/it's" }, 'curl "$APP_URL"');
    expect(script).toBe(
      `if [ -z "\${APP_URL+set}" ]; then APP_URL='http://h:1/it'\\''s'; fi; export APP_URL\ncurl "$APP_URL"`,
    );
    expect(withEnvironment({}, 'true')).toBe('true');
  });

  test.each([
    ['PATH', "this variable is the shell's own"],
    ['LD_PRELOAD', "this variable is the shell's own"],
    ['app_url', 'variable names are uppercase'],
  ])('a target may not set %s', (name, message) => {
    const result = parseRunbook(
      `version: 1\nservice: s\nseverities: {p1: {name: High, description: d, respond-within: 1h}}\ntargets:\n  default:\n    env: {${name}: x}\ncommands: {}\n`,
      'runbook.yml',
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.join('\n')).toContain(message);
  });
});
