#!/usr/bin/env bash
# Sets up the machine, runs every check and the whole Jest suite, and ends with one line
# "N passed, N failed" (each static check counts as one test). When something could not even
# start (the machine's setup, the test deployment host), its cause is printed just above that line.
#
#   TEST_SH_SKIP_CHECKS=1      skip lint, typecheck, actionlint and check-dist
#   TEST_SH_PROJECTS="e2e"     the Jest projects to run (default: unit e2e stack)
#   TEST_SH_JEST_ARGS="…"      more arguments for Jest (say, the test files to run)
#   TEST_SH_TMP=dir            where the run keeps its reports (default .tmp)
set -uo pipefail
cd "$(dirname "$0")/.."
tmp=$(realpath -m "${TEST_SH_TMP:-.tmp}")
export TEST_SH_TMP=$tmp
mkdir -p "$tmp"
if ! bash scripts/setup.sh >"$tmp/setup.log" 2>&1; then
  cat "$tmp/setup.log"
  echo
  echo "setup failed (scripts/setup.sh); its last lines:"
  tail -n 20 "$tmp/setup.log"
  echo "0 passed, 1 failed"
  exit 1
fi
cat "$tmp/setup.log"

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

if [ -z "${TEST_SH_SKIP_CHECKS:-}" ]; then
  check lint npm run --silent lint
  check typecheck npm run --silent typecheck
  check actionlint npm run --silent actionlint
  check check-dist npm run --silent check-dist
  check prometheus-rules npm run --silent check-rules
fi

# The unit project in parallel, with its coverage gate; then the end-to-end project one file at a
# time (they share the deployment host); then the real docker-compose stack.
count() {
  local results=$1 status=$2
  if [ -f "$results" ]; then
    read -r jp jf < <(npx --no-install node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const suitesFailed = r.numFailedTestSuites - r.testResults.filter((s) => s.assertionResults.some((a) => a.status === "failed")).length;
      console.log(r.numPassedTests, r.numFailedTests + Math.max(0, suitesFailed));' "$results")
    passed=$((passed + jp))
    failed=$((failed + jf))
    # Jest failing without a failed test: the coverage gate, or a suite that could not run.
    [ "$status" -eq 0 ] || [ "$jf" -gt 0 ] || failed=$((failed + 1))
  else
    failed=$((failed + 1))
  fi
}
rm -f "$tmp"/jest-*.json "$tmp/setup-failure.txt"
for project in ${TEST_SH_PROJECTS:-unit e2e stack}; do
  extra=()
  [ "$project" = unit ] && extra=(--coverage)
  [ "$project" = e2e ] && extra=(--runInBand)
  [ "$project" = stack ] && extra=(--runInBand)
  # shellcheck disable=SC2086
  NODE_OPTIONS=--experimental-vm-modules npx --no-install jest --selectProjects "$project" "${extra[@]}" \
    ${TEST_SH_JEST_ARGS:-} --json --outputFile="$tmp/jest-$project.json"
  count "$tmp/jest-$project.json" $?
done

echo
if [ -f "$tmp/setup-failure.txt" ]; then
  echo "=== Why no test ran ==="
  cat "$tmp/setup-failure.txt"
  echo
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
