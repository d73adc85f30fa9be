#!/usr/bin/env bash
# Sets up the machine, then plays a whole incident against the local demo deployment and writes
# the resulting issue thread to demo-output/issue-thread.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx --no-install node harness/demo/run-demo.ts
