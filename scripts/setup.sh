#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian machine: OpenSSH server, supervisor,
# PostgreSQL, Redis, and for the real docker-compose stack (harness/stack) docker.io,
# docker-compose, docker-registry, mmdebstrap, prometheus and prometheus-alertmanager, all from Debian; then the npm
# packages (including the Node 24 binary). Installing a package starts no daemon here: the stack
# runs a dockerd of its own, and a system dockerd, if there is one, is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
command -v supervisord >/dev/null 2>&1 || need+=(supervisor)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/sbin/dockerd ] || need+=(docker.io)
[ -x /usr/bin/docker-compose ] || need+=(docker-compose)
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
[ -x /usr/bin/mmdebstrap ] || need+=(mmdebstrap)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "Node for scripts and tests: $(npx --no-install node --version)"
