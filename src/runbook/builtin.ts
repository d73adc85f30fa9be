/**
 * The built-in runbook: the Slack KB Agent incident runbook for its docker-compose deployment,
 * encoded command for command. Used when the repository has no runbook file.
 *
 * Deliberate departures from the text, all needed to run unattended under `bash -eo pipefail`:
 * - `docker stats` gets `--no-stream` (it would otherwise never exit);
 * - `rollback` pulls the image before taking the service down, so that a tag that does not exist
 *   fails while the service is still running, and starts the stack with SLACK_KB_AGENT_TAG set
 *   (the compose file must use `image: slack-kb-agent:${SLACK_KB_AGENT_TAG:-latest}`);
 * - health checks after a restart retry for up to 30 s (`--retry`), since the app needs a moment;
 * - `docker ps | grep` becomes `docker ps --filter`, which does not fail when the container is gone.
 */
export const BUILTIN_RUNBOOK_YAML = `# yaml-language-server: $schema=../../runbook.schema.json
version: 1
service: slack-kb-agent

severities:
  p0:
    name: Critical
    description: Service completely down or major data loss
    respond-within: 15m
    acknowledge-within: 5m
    update-every: 30m
    examples: [Application crash, Database corruption]
  p1:
    name: High
    description: Significant feature impairment
    respond-within: 1h
    acknowledge-within: 5m
    update-every: 30m
    examples: [Authentication failures, High error rates]
  p2:
    name: Medium
    description: Partial feature impairment
    respond-within: 4h
    acknowledge-within: 5m
    examples: [Slow responses, Cache failures]
  p3:
    name: Low
    description: Minor issues or cosmetic problems
    respond-within: 24h
    acknowledge-within: 5m
    examples: [UI glitches, Documentation errors]

targets:
  default:
    description: The VM that runs the docker-compose project (commands run in the login directory)

commands:
  assess:
    description: 'The Initial Assessment: health, application logs, resources (Initial Response, step 2)'
    permission: triage
    timeout: 2m
    steps:
      - name: Quick health check
        run: curl -f http://slack-kb-agent:9090/health
        continue-on-error: true
      - name: Check application logs
        run: docker logs slack-kb-agent --tail=100
        continue-on-error: true
      - name: Check system resources
        run: docker stats slack-kb-agent --no-stream
        continue-on-error: true

  restart:
    description: Restart the application container (Scenario 1, resolution step 1)
    permission: write
    timeout: 5m
    steps:
      - name: Restart application
        run: docker-compose restart slack-kb-agent
    check:
      name: Health check
      run: curl -f --retry 15 --retry-connrefused --retry-delay 2 http://slack-kb-agent:9090/health

  rollback:
    description: Roll the application back to an earlier image tag (Scenario 1, resolution step 3)
    permission: write
    destructive: true
    timeout: 10m
    args:
      - name: tag
        description: Image tag to roll back to, e.g. v1.4.2
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
        required: true
    steps:
      - name: Pull the earlier image
        run: docker pull slack-kb-agent:{{ tag }}
      - name: Stop the stack
        run: docker-compose down
        destructive: true
      - name: Start the stack
        run: SLACK_KB_AGENT_TAG={{ tag }} docker-compose up -d
    check:
      name: Health check
      run: curl -f --retry 15 --retry-connrefused --retry-delay 2 http://slack-kb-agent:9090/health

  backup:
    description: Create a timestamped knowledge-base backup in data/backups (Backup and Recovery)
    permission: write
    timeout: 10m
    steps:
      - name: Create backup
        run: |
          file="data/backups/emergency_$(date +%Y%m%d_%H%M%S).json.gz"
          slack-kb-db backup "$file"
          echo "file: $file"
          echo "size: $(stat -c %s "$file") bytes"
          echo "sha256: $(sha256sum "$file" | cut -d' ' -f1)"

  restore:
    description: Restore the knowledge base from a backup in data/backups (Backup and Recovery)
    permission: maintain
    destructive: true
    timeout: 15m
    args:
      - name: file
        description: Backup file name inside data/backups, e.g. emergency_20261126_031500.json.gz
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.json\\.gz$'
        required: true
    steps:
      - name: Restore backup
        destructive: true
        run: slack-kb-db restore data/backups/{{ file }}
    check:
      name: Health check
      run: curl -f --retry 15 --retry-connrefused --retry-delay 2 http://slack-kb-agent:9090/health

  health:
    description: Health of the application, PostgreSQL and Redis (Useful Commands, Health Checks)
    permission: triage
    timeout: 2m
    steps:
      - name: Application health
        run: curl -f http://slack-kb-agent:9090/health
        continue-on-error: true
      - name: Database health
        run: docker exec slack-kb-postgres pg_isready -U postgres
        continue-on-error: true
      - name: Redis health
        run: docker exec slack-kb-redis redis-cli ping
        continue-on-error: true
      - name: Service status
        run: docker-compose ps

  logs:
    description: Tail a service's logs (Useful Commands, Log Access)
    permission: triage
    timeout: 2m
    args:
      - name: service
        description: Container to read
        values: [slack-kb-agent, slack-kb-postgres, slack-kb-redis]
        default: slack-kb-agent
      - name: lines
        kind: option
        type: integer
        description: Number of lines from the end
        min: 1
        max: 1000
        default: 100
    steps:
      - name: Logs
        run: docker logs {{ service }} --tail={{ lines }} 2>&1

  diagnose:
    description: Run a scenario's diagnosis steps (Common Incident Scenarios 1–4)
    permission: triage
    timeout: 5m
    args:
      - name: scenario
        description: 'app: application down, db: database connection, memory: high memory, errors: high error rate'
        values: [app, db, memory, errors]
        required: true
    steps:
      - name: Check container status
        when: { scenario: app }
        continue-on-error: true
        run: |
          docker ps --filter name=slack-kb-agent
          docker logs slack-kb-agent --tail=50
      - name: Check resource usage
        when: { scenario: app }
        continue-on-error: true
        run: |
          docker stats slack-kb-agent --no-stream
          free -h
          df -h
      - name: Check dependencies
        when: { scenario: app }
        continue-on-error: true
        run: |
          docker logs slack-kb-postgres --tail=20
          docker logs slack-kb-redis --tail=20
      - name: Check PostgreSQL status
        when: { scenario: db }
        continue-on-error: true
        run: |
          docker logs slack-kb-postgres --tail=50
          docker exec slack-kb-postgres pg_isready -U postgres
      - name: Test database connectivity
        when: { scenario: db }
        continue-on-error: true
        run: |
          docker exec slack-kb-agent python -c "
          import psycopg2
          conn = psycopg2.connect('postgresql://postgres:postgres@postgres:5432/slack_kb_agent')
          print('Connection successful')
          "
      - name: Check connection pool
        when: { scenario: db }
        continue-on-error: true
        run: |
          docker exec slack-kb-postgres psql -U postgres -c "
          SELECT count(*) as active_connections
          FROM pg_stat_activity
          WHERE state = 'active';
          "
      - name: Check memory usage
        when: { scenario: memory }
        continue-on-error: true
        run: |
          docker stats slack-kb-agent --no-stream
          docker exec slack-kb-agent python -c "
          import psutil
          print(f'Memory: {psutil.virtual_memory().percent}%')
          print(f'Available: {psutil.virtual_memory().available / 1024**3:.2f} GB')
          "
      - name: Check knowledge base size
        when: { scenario: memory }
        continue-on-error: true
        run: |
          curl -s http://slack-kb-agent:9090/metrics | grep kb_documents
          curl -s http://slack-kb-agent:9090/metrics | grep memory_usage
      - name: Check error logs
        when: { scenario: errors }
        continue-on-error: true
        run: docker logs slack-kb-agent 2>&1 | grep -i error | tail -20
      - name: Check error metrics
        when: { scenario: errors }
        continue-on-error: true
        run: |
          curl -s http://slack-kb-agent:9090/metrics | grep error_rate
          curl -s http://slack-kb-agent:9090/metrics | grep slack_messages
      - name: Check API rate limits
        when: { scenario: errors }
        continue-on-error: true
        run: curl -s http://slack-kb-agent:9090/metrics | grep rate_limit

  status:
    description: An excerpt of the service metrics (Post-Incident, Resolution Verification)
    permission: triage
    timeout: 1m
    steps:
      - name: Key metrics
        run: curl -s http://slack-kb-agent:9090/metrics | grep -E "(error_rate|response_time|memory_usage|kb_documents)"

verification:
  steps:
    - name: Verify application health
      run: curl -f http://slack-kb-agent:9090/health
    - name: Run smoke tests
      run: pytest tests/smoke/ --target=production
  metrics:
    name: Check metrics return to normal
    run: curl -s http://slack-kb-agent:9090/metrics
    thresholds:
      - { name: Error rate, metric: slack_kb_agent_error_rate, max: 0.1, unit: errors/s }
      - { name: p95 response time, histogram: slack_kb_agent_query_duration_seconds, quantile: 0.95, max: 2, unit: s }
      - name: Memory usage
        ratio: [slack_kb_agent_memory_usage_bytes, slack_kb_agent_memory_limit_bytes]
        max: 0.9
`;
