/**
 * The built-in runbook: the Slack KB Agent incident runbook for its docker-compose deployment,
 * encoded command for command, and run end to end against that stack (the real docker-compose
 * project, Prometheus and the agent's image: __tests__/stack). Used when the repository has no
 * runbook file.
 *
 * Where the runbook's text cannot run as written on its VM, the command says so in a comment:
 * - compose service names (`slack-kb-agent:9090`, `postgres:5432`) resolve inside the compose
 *   network only, never on the VM; the steps read the target's settings instead
 *   (SLACK_KB_AGENT_URL, PROMETHEUS_URL, SLACK_API_URL, OPENAI_API_URL), which the host's own
 *   environment may override;
 * - `docker stats` gets `--no-stream` (it would otherwise never exit);
 * - `rollback` pulls the image before taking the service down, so that a tag that does not exist
 *   fails while the service is still running, and records the tag in `.env` (the compose file
 *   uses `image: slack-kb-agent:\${SLACK_KB_AGENT_TAG:-latest}`), so that a later `up -d` keeps it;
 * - health checks after a restart wait up to 30 s for the app (`--retry`, quietly), then show
 *   its one answer: a check that fails shows the body once, not once per attempt;
 * - `docker ps | grep` becomes `docker ps --filter`, which does not fail when the container is gone;
 * - `docker-compose down postgres` (docker-compose 1.29 takes no service there) becomes
 *   `stop postgres` and `rm -f postgres`;
 * - the circuit breakers: setting `os.environ` inside `docker exec … python -c` changes only that
 *   one python process; the flag goes into `.env`, which the compose file passes to the agent, and
 *   the container is recreated (`up -d`: `restart` keeps the old environment);
 * - a failed restart shows `docker-compose config --quiet` (whether the file is valid) rather
 *   than the whole resolved file, which prints environment values such as passwords.
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
    env:
      SLACK_KB_AGENT_URL: http://127.0.0.1:9090
      PROMETHEUS_URL: http://127.0.0.1:9091
      ALERTMANAGER_URL: http://127.0.0.1:9093
      SLACK_API_URL: https://slack.com/api
      OPENAI_API_URL: https://api.openai.com/v1

commands:
  assess:
    description: 'The Initial Assessment: health, application logs, resources (Initial Response, step 2)'
    permission: triage
    diagnostic: true
    timeout: 2m
    steps:
      - name: Quick health check
        run: curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"
        continue-on-error: true
      - name: Check application logs
        run: docker logs slack-kb-agent --tail=100 2>&1
        continue-on-error: true
      - name: Check system resources
        run: docker stats slack-kb-agent --no-stream
        continue-on-error: true

  restart:
    description: Restart a service of the stack (Scenario 1, step 1; Scenario 2, step 1)
    permission: write
    timeout: 5m
    args:
      - name: service
        description: The compose service to restart
        values: [slack-kb-agent, postgres, redis]
        default: slack-kb-agent
    steps:
      - name: Restart the service
        run: docker-compose restart {{ service }}
    check:
      name: Health check
      run: |
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        if ! curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"; then
          echo
          echo "--- the restart did not bring the agent back; docker-compose config --quiet:"
          docker-compose config --quiet && echo "the compose file is valid"
          echo "--- docker-compose logs --tail=50" {{ service }}
          docker-compose logs --no-color --tail=50 {{ service }}
          exit 1
        fi

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
      - name: Record the release in .env
        run: |
          touch .env
          sed -i '/^SLACK_KB_AGENT_TAG=/d' .env
          echo SLACK_KB_AGENT_TAG={{ tag }} >> .env
      - name: Stop the stack
        run: docker-compose down
        destructive: true
      - name: Start the stack
        run: docker-compose up -d
    check:
      name: Health check
      run: |
        docker inspect slack-kb-agent --format 'running image: {{.Config.Image}}'
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"

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
      run: |
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"

  db-integrity:
    description: Check the database can be dumped whole, into a timestamped file (Scenario 2, step 2)
    permission: write
    timeout: 10m
    steps:
      - name: Dump the database
        run: |
          file="data/backups/integrity_$(date +%Y%m%d_%H%M%S).sql"
          docker exec slack-kb-postgres pg_dump slack_kb_agent > "$file"
          echo "file: $file"
          echo "size: $(stat -c %s "$file") bytes"
          echo "sha256: $(sha256sum "$file" | cut -d' ' -f1)"
          echo "tables: $(grep -c '^CREATE TABLE' "$file")"

  recreate-db:
    description: 'Recreate a corrupted database: backup, remove its volume, start it empty, restore (Scenario 2, step 3)'
    permission: maintain
    destructive: true
    timeout: 15m
    steps:
      - name: Back up the database
        run: |
          file="data/backups/recreate_$(date +%Y%m%d_%H%M%S).json.gz"
          slack-kb-db backup "$file"
          echo "$file" > data/backups/.recreate-db-latest
          echo "backup: $file ($(stat -c %s "$file") bytes, sha256 $(sha256sum "$file" | cut -d' ' -f1))"
      - name: Stop PostgreSQL
        destructive: true
        run: |
          docker-compose stop postgres
          docker-compose rm -f postgres
      - name: Remove the database volume
        destructive: true
        run: docker volume rm slack-kb-postgres-data
      - name: Start PostgreSQL on a new volume
        run: docker-compose up -d postgres
      - name: Restore the backup
        destructive: true
        run: slack-kb-db restore "$(cat data/backups/.recreate-db-latest)"
    check:
      name: Health check
      run: |
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"

  memory-limit:
    description: Set the agent's memory limit and restart the stack with it (Scenario 3, steps 1 and 3)
    permission: write
    destructive: true
    timeout: 10m
    args:
      - name: size
        description: The memory limit, e.g. 2G or 1536M
        pattern: '^[1-9][0-9]{0,5}[MG]$'
        required: true
    steps:
      - name: Write the limit to docker-compose.override.yml
        run: |
          if [ -e docker-compose.override.yml ] && ! grep -q '^# written by /memory-limit' docker-compose.override.yml; then
            echo "docker-compose.override.yml exists and was not written by /memory-limit: set the limit there by hand" >&2
            exit 1
          fi
          printf '%s\\n' '# written by /memory-limit' 'services:' '  slack-kb-agent:' '    deploy:' \\
            '      resources:' '        limits:' "          memory: "{{ size }} > docker-compose.override.yml
          docker-compose config --quiet
          cat docker-compose.override.yml
      - name: Stop the stack
        destructive: true
        run: docker-compose down
      - name: Start the stack with the new limit
        run: docker-compose up -d
    check:
      name: Health check and the limit in force
      run: |
        docker inspect slack-kb-agent --format 'memory limit: {{.HostConfig.Memory}} bytes'
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"

  kb-limit:
    description: Reduce the knowledge base's document limit, then restart the agent (Scenario 3, step 2)
    permission: write
    timeout: 5m
    args:
      - name: documents
        type: integer
        description: The most documents the knowledge base keeps loaded
        min: 100
        max: 1000000
        required: true
    steps:
      - name: Save the document limit
        run: |
          docker exec -e KB_MAX_DOCUMENTS={{ documents }} slack-kb-agent python -c "
          import os
          from slack_kb_agent.knowledge_base import KnowledgeBase
          kb = KnowledgeBase(max_documents=int(os.environ['KB_MAX_DOCUMENTS']))
          kb.save()
          "
      - name: Restart the agent with the new limit
        run: docker-compose restart slack-kb-agent
    check:
      name: Health check
      run: |
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"

  circuit-breaker:
    description: 'Turn a feature off (or back on): the LLM or vector search (Scenario 4, step 1)'
    permission: write
    timeout: 5m
    args:
      - name: feature
        description: The feature
        values: [llm, vector-search]
        required: true
      - name: state
        description: 'off: the feature is disabled (its breaker open); on: enabled again'
        values: ['on', 'off']
        required: true
    steps:
      - name: Set the feature flag in .env
        run: |
          case {{ feature }} in llm) flag=LLM_ENABLED ;; vector-search) flag=VECTOR_SEARCH_ENABLED ;; esac
          case {{ state }} in on) value=true ;; off) value=false ;; esac
          touch .env
          sed -i "/^$flag=/d" .env
          echo "$flag=$value" >> .env
          echo "$flag=$value"
      - name: Recreate the agent with the flag
        run: docker-compose up -d slack-kb-agent
    check:
      name: Health check and the features in force
      run: |
        curl -s -o /dev/null --fail --connect-timeout 3 --max-time 5 --retry 15 --retry-all-errors --retry-delay 2 --retry-max-time 45 "$SLACK_KB_AGENT_URL/health" || true
        curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"

  rate-limits:
    description: The API rate-limit metrics (Scenario 4, step 2)
    permission: triage
    diagnostic: true
    timeout: 1m
    steps:
      - name: Check API rate limits
        run: curl -fsS "$SLACK_KB_AGENT_URL/metrics" | grep rate_limit

  dependencies:
    description: Test the external APIs with the host's tokens (Scenario 4, diagnosis step 3)
    permission: triage
    diagnostic: true
    timeout: 2m
    steps:
      - name: Test Slack API
        continue-on-error: true
        run: |
          : "\${SLACK_BOT_TOKEN:?is not set in the environment of the host account}"
          answer=$(curl -sS --max-time 20 -H @- "$SLACK_API_URL/auth.test" <<< "Authorization: Bearer $SLACK_BOT_TOKEN")
          printf '%s\\n' "\${answer:0:2000}"
          case $answer in *'"ok":true'*) ;; *) echo "Slack answered without ok: true" >&2; exit 1 ;; esac
      - name: Test OpenAI API
        continue-on-error: true
        run: |
          : "\${OPENAI_API_KEY:?is not set in the environment of the host account}"
          curl -sS --fail --max-time 20 -o /dev/null -w 'models endpoint: HTTP %{http_code}\\n' -H @- "$OPENAI_API_URL/models" <<< "Authorization: Bearer $OPENAI_API_KEY"

  health:
    description: Health of the application, PostgreSQL and Redis (Useful Commands, Health Checks)
    permission: triage
    diagnostic: true
    timeout: 2m
    steps:
      - name: Application health
        run: curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"
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
    diagnostic: true
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
    diagnostic: true
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
          docker logs slack-kb-agent --tail=50 2>&1
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
          docker logs slack-kb-postgres --tail=20 2>&1
          docker logs slack-kb-redis --tail=20 2>&1
      - name: Check PostgreSQL status
        when: { scenario: db }
        continue-on-error: true
        run: |
          docker logs slack-kb-postgres --tail=50 2>&1
          docker exec slack-kb-postgres pg_isready -U postgres
      - name: Test database connectivity
        when: { scenario: db }
        continue-on-error: true
        run: |
          docker exec slack-kb-agent python -c "
          import os, psycopg2
          conn = psycopg2.connect(os.environ['DATABASE_URL'], connect_timeout=5)
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
          curl -s "$SLACK_KB_AGENT_URL/metrics" | grep kb_documents
          curl -s "$SLACK_KB_AGENT_URL/metrics" | grep memory_usage
      - name: Check error logs
        when: { scenario: errors }
        continue-on-error: true
        run: docker logs slack-kb-agent 2>&1 | grep -i error | tail -20
      - name: Check error metrics
        when: { scenario: errors }
        continue-on-error: true
        run: |
          curl -s "$SLACK_KB_AGENT_URL/metrics" | grep error_rate
          curl -s "$SLACK_KB_AGENT_URL/metrics" | grep slack_messages
      - name: Check API rate limits
        when: { scenario: errors }
        continue-on-error: true
        run: curl -s "$SLACK_KB_AGENT_URL/metrics" | grep rate_limit

  doctor:
    description: "Checks the host before the first incident: everything the built-in runbook relies on (README: what a VM needs)"
    permission: triage
    diagnostic: true
    timeout: 2m
    steps:
      - name: Check the host
        run: |
          problems=0
          pass() { printf '✅ %s\\n' "$1"; }
          fail() { printf '❌ %s\\n   fix: %s\\n' "\${1//$'\\n'/ }" "$2"; problems=$((problems + 1)); }
          if ! command -v docker >/dev/null; then
            fail "docker: not installed" "install docker (docker.io) on the VM"
          elif server=$(timeout 10 docker version --format '{{.Server.Version}}' 2>&1); then
            pass "docker: daemon $server, reachable as $(id -un)"
          else
            fail "docker: the daemon cannot be reached as $(id -un): \${server:0:200}" "add the account to the docker group, or set DOCKER_HOST in its session"
          fi
          if version=$(docker-compose version --short 2>&1); then
            pass "docker-compose $version"
          else
            fail "docker-compose: not found" "install docker-compose (1.29 or later): the runbook calls the docker-compose command"
          fi
          if [ ! -f docker-compose.yml ]; then
            fail "no docker-compose.yml in $(pwd)" "make the account's login directory the compose project"
          elif services=$(timeout 20 docker-compose config --services 2>&1); then
            for service in slack-kb-agent postgres redis; do
              if grep -qx "$service" <<< "$services"; then pass "compose service $service"
              else fail "compose service $service: not in docker-compose.yml" "name the services slack-kb-agent, postgres and redis"; fi
            done
            if grep -q 'slack-kb-agent:\${SLACK_KB_AGENT_TAG' docker-compose.yml; then pass "the agent's image follows SLACK_KB_AGENT_TAG (/rollback)"
            else fail "the agent's image does not read SLACK_KB_AGENT_TAG" 'use image: slack-kb-agent:\${SLACK_KB_AGENT_TAG:-latest}'; fi
          else
            fail "docker-compose.yml in $(pwd) is not valid: \${services:0:300}" "run docker-compose config there and fix what it says"
          fi
          for container in slack-kb-agent slack-kb-postgres slack-kb-redis; do
            state=$(timeout 10 docker inspect "$container" --format '{{.State.Status}}' 2>/dev/null || true)
            if [ "$state" = running ]; then pass "container $container running"
            else fail "container $container: \${state:-not found}" "docker-compose up -d (container_name: $container)"; fi
          done
          if command -v slack-kb-db >/dev/null; then pass "slack-kb-db on PATH (/backup, /restore)"
          else fail "slack-kb-db: not on the account's PATH" "install the agent's backup CLI for the account"; fi
          # Read-only: the nearest existing folder on the way to data/backups must be writable.
          backups=data/backups; [ -d "$backups" ] || backups=data; [ -d "$backups" ] || backups=.
          if [ -w "$backups" ]; then pass "data/backups writable by $(id -un) (/backup)"
          else fail "data/backups in $(pwd): $backups is not writable by $(id -un)" "give the account the project's data directory"; fi
          rc=0; answer=$(curl -s --max-time 10 -w '\\n%{http_code}' "$SLACK_KB_AGENT_URL/health") || rc=$?
          code=\${answer##*$'\\n'}
          if [ "$rc" = 0 ] && [ "$code" = 200 ]; then pass "the agent answers at SLACK_KB_AGENT_URL ($SLACK_KB_AGENT_URL)"
          elif [ "$rc" = 28 ]; then
            fail "the agent at SLACK_KB_AGENT_URL ($SLACK_KB_AGENT_URL) did not answer /health within 10 s" "it accepts connections but hangs: /diagnose app"
          elif [ -z "$code" ] || [ "$code" = 000 ]; then
            fail "nothing answers at SLACK_KB_AGENT_URL ($SLACK_KB_AGENT_URL)" "set SLACK_KB_AGENT_URL in the account's session or the target's env, or start the agent"
          else
            body=\${answer%$'\\n'*}
            fail "the agent at SLACK_KB_AGENT_URL answers HTTP $code: \${body:0:300}" "it runs but reports itself unhealthy: /diagnose app"
          fi
          up=$(curl -sS --max-time 10 --get --data-urlencode 'query=up{job="slack-kb-agent"} == 1' "\${PROMETHEUS_URL%/}/api/v1/query" 2>&1 || true)
          if grep -q '"job":"slack-kb-agent"' <<< "$up"; then pass "Prometheus at PROMETHEUS_URL ($PROMETHEUS_URL) scrapes job slack-kb-agent"
          else fail "Prometheus at PROMETHEUS_URL ($PROMETHEUS_URL) does not scrape job slack-kb-agent successfully (up == 1): \${up:0:200}" "set PROMETHEUS_URL, and scrape the agent as job slack-kb-agent"; fi
          rules=$(curl -sS --max-time 10 "\${PROMETHEUS_URL%/}/api/v1/rules?type=alert" 2>&1 || true)
          for alert in SlackKBAgentDown HighErrorRate HighResponseTime; do
            if grep -qF '"name":"'"$alert"'"' <<< "$rules"; then pass "alert rule $alert loaded"
            else fail "alert rule $alert: not loaded in Prometheus" "load examples/prometheus/alert_rules.yml"; fi
          done
          for token in SLACK_BOT_TOKEN OPENAI_API_KEY; do
            if [ -n "\${!token:-}" ]; then pass "$token set in the session (not shown)"
            else fail "$token: not set in the account's environment" "set it there for /dependencies (never in the runbook)"; fi
          done
          if [ "$problems" -gt 0 ]; then
            echo "$problems problem(s): fix them before the first incident."
            exit 1
          fi
          echo "The host has everything the built-in runbook needs."

  status:
    description: "The service's key metrics against the verification's thresholds, through Prometheus (Post-Incident, Resolution Verification)"
    permission: triage
    diagnostic: true
    timeout: 1m
    steps:
      - name: Key metrics
        metrics: verification
        continue-on-error: true
      - name: Knowledge base and API quotas (one scrape)
        run: curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/metrics" | grep -E "^slack_kb_agent_(kb_documents|rate_limit_remaining|feature_enabled)"
        continue-on-error: true


post-incident:
  # Post-Incident Procedures. An item with ticked-by is ticked only by that recorded fact.
  resolution:
    - { item: Verify application health, ticked-by: 'verification: Verify application health' }
    - { item: Run smoke tests, ticked-by: 'verification: Run smoke tests' }
    - { item: Check metrics return to normal, ticked-by: metrics }
  communication:
    - { item: Update incident ticket with resolution, ticked-by: ticket }
    - { item: Notify stakeholders of resolution, ticked-by: stakeholders }
    - { item: Post final status page update, ticked-by: status-page }
    - { item: Schedule post-incident review, ticked-by: review }
  review:
    - 'Timeline review: document the incident timeline'
    - 'Root cause analysis: identify underlying causes'
    - 'Action items: create follow-up tasks'
    - 'Process improvements: update runbooks and monitoring'
  documentation:
    - New incident scenarios encountered
    - Improved diagnostic procedures
    - Additional resolution steps
    - Lessons learned

alerts:
  # The runbook's three Prometheus alerts (examples/prometheus/alert_rules.yml).
  routes:
    - { match: { alertname: SlackKBAgentDown }, severity: p0 }
    - { match: { alertname: HighErrorRate }, severity: p1 }
    - { match: { alertname: HighResponseTime }, severity: p2 }
  flap-window: 30m
  # /ack silences the group in Alertmanager, reached from the VM at $ALERTMANAGER_URL; /resolve
  # expires the silence. A silence outlasting 12 h lets the alert through again.
  silence: { for: 12h, target: default }

# The runbook's Emergency Contacts. Who answers for each role is the team's: add \`mention:\`
# (GitHub users or org/team slugs) in a runbook file. Without it, a declaration pages the
# \`escalation\` input's people, and \`/page <role>\` says what to add.
contacts:
  on-call:
    name: On-call Engineer
    availability: 24/7
    page: [p0, p1]
  commander:
    name: Incident Commander
    availability: business hours
  dba:
    name: Database Administrator
    availability: on-call rotation
  security:
    name: Security Team
    availability: 24/7

verification:
  steps:
    - name: Verify application health
      run: curl -sS --max-time 10 --fail-with-body "$SLACK_KB_AGENT_URL/health"
    - name: Run smoke tests
      run: docker exec slack-kb-agent pytest tests/smoke/ --target=production
  metrics:
    name: Check metrics return to normal
    prometheus: $PROMETHEUS_URL
    thresholds:
      - { name: Application up, query: 'up{job="slack-kb-agent"}', min: 1 }
      - { name: Error rate, query: 'rate(slack_kb_agent_errors_total[5m])', max: 0.1, unit: errors/s }
      - name: p95 response time
        query: histogram_quantile(0.95, rate(slack_kb_agent_query_duration_seconds_bucket[5m]))
        max: 2
        unit: s
      - name: Memory usage
        query: slack_kb_agent_memory_usage_bytes / slack_kb_agent_memory_limit_bytes
        max: 0.9
        unit: ratio
`;
