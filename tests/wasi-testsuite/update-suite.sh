#!/usr/bin/env bash
# Refreshes the vendored wasm32-wasip1 tests of WebAssembly/wasi-testsuite in suite/ from a
# local clone of that repository (bare or not), at REF (default: prod/testsuite-base, the
# branch that carries the prebuilt binaries). Files are taken from the commit itself, so
# uncommitted changes in the clone never come along. Only the tests (.wasm, .json, their
# fs-tests.dir roots, manifest.json) and the licence are kept; every custom section (DWARF,
# names) is stripped from the binaries. Afterwards run `node tests/wasi-testsuite/run.js`.
#
# Usage: tests/wasi-testsuite/update-suite.sh PATH/TO/wasi-testsuite-clone [REF]
set -euo pipefail
src="${1:?usage: $0 PATH/TO/wasi-testsuite-clone [REF]}"
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/suite"
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || { echo "$0: $src is not a git repository" >&2; exit 2; }
ref="${2:-prod/testsuite-base}"
commit="$(git -C "$src" rev-parse --verify "$ref^{commit}" 2>/dev/null \
  || git -C "$src" rev-parse --verify "origin/$ref^{commit}")"
subject="$(git -C "$src" log -1 --format=%s "$commit")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
langs=(c rust assemblyscript)
paths=(LICENSE)
for lang in "${langs[@]}"; do paths+=("tests/$lang/testsuite/wasm32-wasip1"); done
git -C "$src" archive --format=tar "$commit" "${paths[@]}" | tar -x -C "$tmp"
rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp/LICENSE" "$dest/LICENSE"
for lang in "${langs[@]}"; do cp -R "$tmp/tests/$lang/testsuite/wasm32-wasip1" "$dest/$lang"; done
find "$dest" -name '*.wasm' -exec node "$here/strip-custom-sections.js" {} +
printf '%s (WebAssembly/wasi-testsuite %s, %s)\n%s\n' "${commit:0:7}" "$ref" "'$subject'" "$commit" > "$dest/UPSTREAM_COMMIT"
echo "tests/wasi-testsuite/suite now holds WebAssembly/wasi-testsuite $commit"
