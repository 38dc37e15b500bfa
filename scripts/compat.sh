#!/usr/bin/env bash
# Runs the compatibility scenarios (test/e2e/compat_test.cpp) over every Codex
# release installed under .deps (.deps/codex is the pinned newest, .deps/codex-X.Y.Z
# the older ones; scripts/setup.sh --for-tests installs the CI set, and
# `npm install --prefix .deps/codex-X.Y.Z @openai/codex@X.Y.Z` adds any other)
# and prints a Markdown table: release -> pass/fail per scenario.
#   scripts/compat.sh [BUILD_DIR]     default build/default (built with compat_tests)
# A failing scenario's output is kept in BUILD_DIR/compat/<release>-<scenario>.log.
# Exits 1 when any scenario failed on any release.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/default}
tests="$build/test/compat_tests"
[ -x "$tests" ] || { echo "compat: $tests not built (cmake --build --preset default)" >&2; exit 2; }
logs="$build/compat"
mkdir -p "$logs"

# One Catch tag per scenario, in the table's column order.
scenarios=(usage failed error cancel sandbox resume settings)

releases=()
for dir in "$here"/.deps/codex "$here"/.deps/codex-*; do
  exe="$dir/node_modules/.bin/codex"
  [ -x "$exe" ] || continue
  version=$("$exe" --version 2>/dev/null | sed -n 's/^codex-cli \([0-9.]*\).*/\1/p' | head -1)
  [ -n "$version" ] && releases+=("$version $exe")
done
[ ${#releases[@]} -gt 0 ] || { echo "compat: no Codex release under .deps (scripts/setup.sh --for-tests)" >&2; exit 2; }
mapfile -t releases < <(printf '%s\n' "${releases[@]}" | sort -t. -k1,1n -k2,2n -k3,3n)

header="| release |"
rule="| --- |"
for s in "${scenarios[@]}"; do header+=" $s |"; rule+=" --- |"; done
echo "$header"
echo "$rule"
failed=0
for entry in "${releases[@]}"; do
  version=${entry%% *}
  exe=${entry#* }
  row="| $version |"
  for s in "${scenarios[@]}"; do
    log="$logs/$version-$s.log"
    if MULTICAD_COMPAT_CODEX="$exe" timeout 600 "$tests" --warn NoTests "[compat][$s]" >"$log" 2>&1; then
      row+=" pass |"
      rm -f "$log"
    else
      row+=" **fail** |"
      failed=1
    fi
  done
  echo "$row"
done
exit "$failed"
