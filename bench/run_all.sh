#!/usr/bin/env bash
# Runs every benchmark in turn and keeps each one's output, plus the JSON
# lines together, under bench/.deps/results/<UTC time>/ (git-ignored).
#
#   bench/run_all.sh                 # ~15 minutes on 2 cores, plus any wait for a quiet machine
#   BENCH_ONLY="idle pickup" bench/run_all.sh
#
# Each benchmark installs what it needs, bounds its own time and stops what it
# started; this script only sequences them (one at a time: they would skew
# each other) and goes on when one fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/.deps/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
failed=()
for b in ${BENCH_ONLY:-overhead sdk_runner idle load pickup}; do
  echo "=== bench/$b.sh ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))"
  if "$here/$b.sh" 2>&1 | tee "$out/$b.txt"; then :; else failed+=("$b"); fi
  grep -h '^{"bench"' "$out/$b.txt" >>"$out/results.jsonl" || true
done
echo "=== results: $out (results.jsonl holds one JSON line per benchmark)"
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
