#!/usr/bin/env bash
# Refreshes the vendored copy of WebAssembly/testsuite in spec-tests/testsuite from a local
# clone of that repository (bare or not), at COMMIT (default: the clone's HEAD). The files are
# taken from the commit itself, so uncommitted changes in the clone never come along.
# Afterwards run `npm test`; record improvements with
#   node bin/jetwasm.js wast --suite spec-tests/testsuite --expect spec-tests/expected.json --update-expect
#
# Usage: spec-tests/update-testsuite.sh PATH/TO/testsuite-clone [COMMIT]
set -euo pipefail
src="${1:?usage: $0 PATH/TO/testsuite-clone [COMMIT]}"
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/testsuite"
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || { echo "$0: $src is not a git repository" >&2; exit 2; }
commit="$(git -C "$src" rev-parse --verify "${2:-HEAD}^{commit}")"
subject="$(git -C "$src" log -1 --format=%s "$commit")"
rm -rf "$dest"
mkdir -p "$dest"
git -C "$src" archive --format=tar "$commit" | tar -x -C "$dest"
# Only the scripts and the repository's licence and notes: its CI and update tooling are not
# part of the suite.
find "$dest" -mindepth 1 -type f ! -name '*.wast' ! -path "$dest/LICENSE" ! -path "$dest/README.md" \
  ! -path "$dest/Contributing.md" ! -path "$dest/.gitignore" -delete
find "$dest" -mindepth 1 -type d -empty -delete
subject="${subject% (#*)}"
printf '%s (WebAssembly/testsuite, %s)\n%s\n' "${commit:0:7}" "'$subject'" "$commit" > "$dest/UPSTREAM_COMMIT"
echo "spec-tests/testsuite now holds WebAssembly/testsuite $commit"
