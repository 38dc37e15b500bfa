#!/usr/bin/env bash
# Benchmark 6: the agent's `multica` command (the multicad binary run through
# a link named multica). An agent runs it many times per task, so what it
# costs to start matters. N sequential runs of each, wall time per run
# (bash's $EPOCHREALTIME around a fork+exec+wait, no extra process):
#   true        /bin/true: the floor (fork, exec, exit)
#   version     multica --version: start-up and argument parsing only
#   issue get   multica issue get against the fake server on loopback:
#               settings, one HTTP exchange, JSON re-encoding
#   issue list  multica issue list --output json (20 issues)
#
#   bench/multica.sh                # 200 runs each
#   BENCH_MULTICA_N=50 bench/multica.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_MULTICA_N:-200}
bench_setup
watchdog $((120 + N)) 2
ln -s "$MULTICAD" "$WORK/bin/multica"
start_fake_server
make_workspace
for i in $(seq 20); do fake POST /_fake/issues "{\"workspace_id\":\"$WORKSPACE\",\"title\":\"issue $i\"}" >/dev/null; done
export MULTICA_SERVER_URL=$SERVER_URL MULTICA_TOKEN=$TOKEN MULTICA_WORKSPACE_ID=$WORKSPACE
wait_quiet multica

# time_runs CMD...: N runs, one wall time in ms per line.
time_runs() {
  local i start
  for ((i = 0; i < N; i++)); do
    start=$EPOCHREALTIME
    "$@" >/dev/null
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
  done
}

declare -A results
results[true]=$(time_runs /bin/true | stats)
results[version]=$(time_runs "$WORK/bin/multica" --version | stats)
results[issue_get]=$(time_runs "$WORK/bin/multica" issue get "$(fake GET /_fake/state | jq -r '.issues[0].identifier')" | stats)
results[issue_list]=$(time_runs "$WORK/bin/multica" issue list --output json | stats)

print_machine
printf '\n%-12s %8s %8s %8s %8s   (ms per run, N=%s)\n' run p50 p90 p99 max "$N"
for k in true version issue_get issue_list; do
  jq -r --arg k "$k" '[$k, .p50, .p90, .p99, .max] | @tsv' <<<"${results[$k]}" |
    awk -F'\t' '{ printf "%-12s %8.2f %8.2f %8.2f %8.2f\n", $1, $2, $3, $4, $5 }'
done
echo "{\"bench\":\"multica\",\"n\":$N,\"true\":${results[true]},\"version\":${results[version]},\"issue_get\":${results[issue_get]},\"issue_list\":${results[issue_list]},\"load\":$LOAD_AT_START,\"machine\":$(machine_json)}"
