#!/usr/bin/env bash
# Tags a release of the action: vX.Y.Z for the version in package.json, and moves the major tag vX
# to it, so that `uses: owner/incident-issueops@vX` follows the newest release of that major.
# Refuses unless the work tree is clean, dist/ equals a fresh build, CHANGELOG.md has a section for
# the version, and the tag does not exist yet. Writes the release notes (that section) to the file
# RELEASE_NOTES names (default .tmp/release-notes.md).
#
#   scripts/release.sh            tag locally (check what would be released)
#   scripts/release.sh --push     tag and push both tags to origin
set -euo pipefail
cd "$(dirname "$0")/.."
push=false
[ "${1:-}" = "--push" ] && push=true

fail() {
  echo "release: $*" >&2
  exit 1
}

version=$(node -p 'require("./package.json").version')
[[ $version =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || fail "package.json version \"$version\" is not X.Y.Z"
tag="v$version"
major="v${BASH_REMATCH[1]}"

[ -z "$(git status --porcelain)" ] || fail "the work tree has uncommitted changes"
git rev-parse -q --verify "refs/tags/$tag" >/dev/null && fail "$tag exists already; bump the version in package.json"
if git ls-remote --exit-code --tags origin "refs/tags/$tag" >/dev/null 2>&1; then
  fail "$tag exists on origin already"
fi
if [ -z "${RELEASE_SKIP_DIST_CHECK:-}" ]; then
  bash scripts/check-dist.sh >/dev/null || fail "dist/ is not a fresh build of src/; run npm run build and commit it"
fi

notes=${RELEASE_NOTES:-.tmp/release-notes.md}
mkdir -p "$(dirname "$notes")"
awk -v version="$version" '
  $0 ~ "^## \\[" version "\\]" { found = 1; next }
  found && /^## \[/ { exit }
  found && /^\[[0-9.]+\]: / { exit }
  found { print }
' CHANGELOG.md | sed -e '/./,$!d' >"$notes"
[ -s "$notes" ] || fail "CHANGELOG.md has no section \"## [$version]\""

git tag -a "$tag" -m "$tag"
git tag -f -a "$major" -m "$major: $tag" >/dev/null
echo "tagged $tag and moved $major to $(git rev-parse --short "$tag^{commit}")"
if $push; then
  git push origin "refs/tags/$tag"
  git push -f origin "refs/tags/$major"
  echo "pushed $tag and $major"
fi
echo "release notes: $notes"
