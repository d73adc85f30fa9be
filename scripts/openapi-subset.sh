#!/usr/bin/env bash
# Regenerates harness/github/openapi-subset.json and harness/github/webhook-schemas.json from
# GitHub's own descriptions. @octokit/openapi is ~385 MB, so it is never a dependency of the
# project: it is installed into a throw-away directory (or reused from OPENAPI_PKG_DIR).
#
#   OPENAPI_PKG_DIR=/tmp/oapi bash scripts/openapi-subset.sh    # reuse an install
#   OPENAPI_VERSION=23.0.2 bash scripts/openapi-subset.sh       # pin versions (default: latest)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [[ -n "${OPENAPI_PKG_DIR:-}" ]]; then
  pkg_dir="$OPENAPI_PKG_DIR"
else
  pkg_dir="$(mktemp -d "${TMPDIR:-/tmp}/openapi-subset.XXXXXX")"
  trap 'rm -rf "$pkg_dir"' EXIT
  echo "installing @octokit/openapi and @octokit/openapi-webhooks into $pkg_dir (large download)"
  npm install --no-save --no-audit --no-fund --ignore-scripts --prefix "$pkg_dir" \
    "@octokit/openapi@${OPENAPI_VERSION:-latest}" \
    "@octokit/openapi-webhooks@${OPENAPI_WEBHOOKS_VERSION:-latest}"
fi

for pkg in openapi openapi-webhooks; do
  if [[ ! -f "$pkg_dir/node_modules/@octokit/$pkg/generated/api.github.com.json" ]]; then
    echo "error: $pkg_dir/node_modules/@octokit/$pkg/generated/api.github.com.json not found" >&2
    exit 1
  fi
done

# npx resolves the project's Node 24 (devDependency `node`), which runs TypeScript directly.
npx --no-install node scripts/openapi-subset.ts "$pkg_dir"
