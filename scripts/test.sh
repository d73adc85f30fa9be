#!/usr/bin/env bash
# Sets up the machine, runs every check and the whole Jest suite, and ends with one line
# "N passed, N failed" (each static check counts as one test).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
check() {
  local name=$1
  shift
  echo "::group::$name"
  if "$@"; then
    echo "check passed: $name"
    passed=$((passed + 1))
  else
    echo "check FAILED: $name"
    failed=$((failed + 1))
  fi
  echo "::endgroup::"
}

check lint npm run --silent lint
check typecheck npm run --silent typecheck
check actionlint npm run --silent actionlint
check check-dist npm run --silent check-dist

mkdir -p .tmp
rm -f .tmp/jest-results.json
npm test -- --json --outputFile=.tmp/jest-results.json
jest_status=$?
if [ -f .tmp/jest-results.json ]; then
  read -r jp jf < <(npx --no-install node -e '
    const r = JSON.parse(require("fs").readFileSync(".tmp/jest-results.json", "utf8"));
    const suitesFailed = r.numFailedTestSuites - r.testResults.filter((s) => s.assertionResults.some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + Math.max(0, suitesFailed));')
  passed=$((passed + jp))
  failed=$((failed + jf))
else
  failed=$((failed + 1))
fi
[ "$jest_status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
