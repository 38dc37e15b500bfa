#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test: what CI runs (.ci/run).
#
#   1. the default build (GCC, -O2): every ctest: unit, integration, the fault matrix, e2e
#      against the real Codex CLI, the fakes' self-tests, the fuzz corpus replayed;
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer (`asan` preset);
#   3. a short libFuzzer run of every fuzz target (clang, `fuzz` preset), MULTICAD_FUZZ_SECONDS
#      each (default 20; scripts/fuzz.sh runs longer ones).
#
#   scripts/test.sh                  all three stages
#   scripts/test.sh --default-only   stage 1 only (the quick loop while developing)
#   scripts/test.sh [--default-only] -- <ctest args>   e.g. -- -R managed_block (stages 1 and 2)
# The TSan build (`cmake --preset tsan`) is documented in docs/reliability.md; it is not a CI stage
# because it would push a clean CI run past its time budget.
set -euo pipefail
cd "$(dirname "$0")/.."

stages=(default asan fuzz)
ctest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --default-only) stages=(default) ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "usage: scripts/test.sh [--default-only] [-- <ctest args>]" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup.sh --for-tests
start=$SECONDS
stage() { echo; echo "== test: $* ($((SECONDS - start)) s in)"; }

for s in "${stages[@]}"; do
  case $s in
    default | asan)
      stage "$s build"
      cmake --preset "$s" >/dev/null
      cmake --build --preset "$s"
      stage "$s tests"
      ctest --preset "$s" -j "$(nproc)" ${ctest_args[@]+"${ctest_args[@]}"}
      ;;
    fuzz)
      stage "fuzz"
      scripts/fuzz.sh "${MULTICAD_FUZZ_SECONDS:-20}"
      ;;
  esac
done
echo; echo "== test: all passed (${stages[*]}) in $((SECONDS - start)) s"
