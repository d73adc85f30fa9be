#!/bin/bash
# Starts PostgreSQL on 127.0.0.1:$PGPORT (host networking). A new (empty) data volume gets a
# cluster, the password of POSTGRES_PASSWORD for TCP logins, and the database slack_kb_agent with
# its tables but no rows: rows come from a restore, or from data.sql when the stack is first deployed.
set -euo pipefail
: "${PGPORT:=5432}" "${POSTGRES_PASSWORD:=postgres}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  # The set-up server listens on a private socket only, so that nobody takes it for the real one.
  setup_socket=$(mktemp -d)
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$setup_socket -p $PGPORT" -w start >/dev/null
  createdb -h "$setup_socket" -U postgres slack_kb_agent
  psql -h "$setup_socket" -X -q -v ON_ERROR_STOP=1 -U postgres -d slack_kb_agent -f /opt/slack-kb-postgres/schema.sql
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "slack-kb-postgres: new cluster initialised with database slack_kb_agent"
fi
exec postgres -D "$PGDATA" -c listen_addresses=127.0.0.1 -p "$PGPORT" -c unix_socket_directories=/var/run/postgresql
