#!/usr/bin/env bash
# Benchmark 9: dispatch latency in server mode, poll against push (issue 14).
# The fake Multica server and the FAKE codex (scenario normal); the daemon at
# the default 3 s poll_interval, once against a seed-era server (no daemon
# WebSocket: it polls) and once with the server's WebSocket on (it is woken).
# N tasks each, queued one at a time at a random moment of the poll cycle.
# Both ends are read on the fake server's clock: enqueue = just before
# POST /_fake/tasks, then the arrival of the claim that returned the task
# and of its start call (lib/fake_tasks.mjs). The codex turn is not in it.
#
#   bench/dispatch.sh                 # 20 tasks each
#   BENCH_DISPATCH_N=50 bench/dispatch.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_DISPATCH_N:-20}
bench_setup
watchdog $((120 + N * 20)) 2
print_machine
AGENT='{"name":"Bench","instructions":"Be brief."}'

# measure MODE: one daemon against a fresh fake server; prints one JSON line.
measure() {
  local mode=$1 i rec claims=() starts=()
  start_fake_server
  [ "$mode" = push ] && fake POST /_fake/ws/config '{"websocket":true}' >/dev/null
  make_workspace
  start_daemon "$WORK/$mode" "$FAKE_CODEX" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
    MULTICA_DAEMON_POLL_INTERVAL=3s
  for ((i = 0; i < 100; i++)); do
    [ "$(curl -sf "http://127.0.0.1:$HEALTH_PORT/health" | jq -r .dispatch.mode)" = "$mode" ] && break
    sleep 0.1
  done
  for ((i = 1; i <= N; i++)); do
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", r / 32768 * 3 }')"
    rec=$(node "$BENCH/lib/fake_tasks.mjs" run "$SERVER_URL" "$WORKSPACE" "$AGENT" 60)
    claims+=("$(jq '.claim_ms - .created_ms' <<<"$rec")")
    starts+=("$(jq '(.calls[] | select(.[0] == "start") | .[1]) - .created_ms' <<<"$rec")")
  done
  stop_daemon
  stop_group "$SERVER_PGID" 2
  jq -nc --arg mode "$mode" --argjson claim "$(printf '%s\n' "${claims[@]}" | stats)" \
    --argjson start "$(printf '%s\n' "${starts[@]}" | stats)" \
    '{mode: $mode, "enqueue_to_claim_ms": $claim, "enqueue_to_start_ms": $start}'
}

measure poll
measure push
