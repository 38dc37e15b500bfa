#!/usr/bin/env bash
# Benchmark 11: what one idle daemon costs the server, polling vs push (issue 14).
#
#   bench/idle_dispatch.sh               # 60 s per mode
#   BENCH_IDLE_S=120 bench/idle_dispatch.sh
#
# One daemon with one workspace (one runtime) on the fake server at the
# default intervals (poll 3 s, heartbeat 15 s), no tasks: once against a
# seed-era server (no WebSocket: it polls every 3 s), once with the server's
# WebSocket (it polls every 30 s and heartbeats over the link). The window
# starts once /health says the mode. Over it:
#   requests   HTTP requests the fake server recorded, and the daemon's
#              WebSocket messages (heartbeats, RPCs) plus the server's answers
#   bytes      TCP payload both ways between the daemon and the server, counted
#              by a proxy in between (bench/lib/count_proxy.mjs): every
#              connection, closed ones and upgrade attempts included
# and the same per second for 10 000 such daemons.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

IDLE_S=${BENCH_IDLE_S:-60}
bench_setup
watchdog $((2 * IDLE_S + 120)) 2
print_machine

# The daemon's bytes to and from the server so far (through bench/lib/count_proxy.mjs).
daemon_bytes() { jq '.up + .down' "$WORK/proxy-totals.json"; }

measure() {
  local mode=$1 i t0 t1 b0 b1
  start_fake_server
  [ "$mode" = push ] && fake POST /_fake/ws/config '{"websocket":true}' >/dev/null
  make_workspace
  bg_start proxy node "$BENCH/lib/count_proxy.mjs" "$SERVER_PORT" "$WORK/proxy-totals.json"
  local proxy_pgid=$BG_PID proxy_port
  proxy_port=$(wait_port_line "$WORK/proxy.out")
  start_daemon "$WORK/$mode" "$FAKE_CODEX" MULTICA_SERVER_URL="http://127.0.0.1:$proxy_port" MULTICA_TOKEN="$TOKEN"
  for ((i = 0; i < 100; i++)); do
    [ "$(curl -sf "http://127.0.0.1:$HEALTH_PORT/health" | jq -r .dispatch.mode)" = "$mode" ] && break
    sleep 0.1
  done
  sleep 2  # the connect's first heartbeat and claim are start-up, not idling
  wait_quiet "idle_dispatch $mode"
  b0=$(daemon_bytes)
  t0=$(now_ms)
  sleep "$IDLE_S"
  t1=$(now_ms)
  b1=$(daemon_bytes)
  local calls ws
  calls=$(fake GET /_fake/calls)
  ws=$(fake GET /_fake/ws)
  stop_daemon
  stop_group "$proxy_pgid" 2
  stop_group "$SERVER_PGID" 2
  jq -nc --arg mode "$mode" --argjson t0 "$t0" --argjson t1 "$t1" --argjson bytes "$((b1 - b0))" \
    --argjson calls "$calls" --argjson ws "$ws" '
    (($t1 - $t0) / 60000) as $min
    | [$calls[] | select(.at_ms >= $t0 and .at_ms < $t1 and (.path | startswith("/api/")))] as $http
    | [$ws.received[] | select(.at_ms >= $t0 and .at_ms < $t1)] as $frames
    | ($http | length) as $h | ($frames | length) as $f
    | {mode: $mode, window_s: (($t1 - $t0) / 1000),
       http_per_min: ($h / $min), http_kinds: ($http | group_by(.path) | map({(.[0].path): length}) | add // {}),
       ws_messages_per_min: ($f / $min), ws_kinds: ($frames | group_by(.type) | map({(.[0].type): length}) | add // {}),
       bytes_per_min: ($bytes / $min),
       per_10000_daemons: {requests_per_s: (($h + $f) / $min * 10000 / 60), bytes_per_s: ($bytes / $min * 10000 / 60)}}'
}

measure poll
measure push
