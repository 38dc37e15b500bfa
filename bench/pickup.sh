#!/usr/bin/env bash
# Benchmark 5: local mode, `multicad submit` -> agent spawned, and
# `multicad tasks cancel` -> agent gone.
#
#   bench/pickup.sh                          # 100 submissions, 20 cancellations
#   BENCH_SUBMITS=50 BENCH_CANCELS=10 bench/pickup.sh
#
# Pickup: a local-mode daemon with the FAKE codex (scenario normal, a short
# task); 100 sequential `multicad submit PROMPT --wait`. Clock starts just
# before the submit process is started (bash's $EPOCHREALTIME, no fork) and
# stops at three points of the agent's start:
#   exec        bench/exec_stamp, in front of the fake codex, at its main()
#               (the daemon's fork/exec done; ~0.5 ms of the wrapper's own load)
#   process     the fake codex's start record `time_origin_ms` (Node's
#               performance.timeOrigin: when the node process began)
#   record      the start record's `at_ms`: when the fake codex, booted, wrote
#               the record (FAKE_CODEX_LOG) - Node's start-up included
# Cancel: a second local daemon whose fake codex hangs in its turn; 20 times:
# submit, wait until the agent runs, then the clock starts just before
# `multicad tasks cancel ID` and stops when the agent process has exited
# (bench/wait_gone: pidfd, no polling).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SUBMITS=${BENCH_SUBMITS:-100}
CANCELS=${BENCH_CANCELS:-20}
bench_setup
STAMP=$(need_helper exec_stamp --static)
WAIT_GONE=$(need_helper wait_gone)
watchdog $((300 + SUBMITS * 3 + CANCELS * 6)) 2

STAMPS="$WORK/exec_stamps.jsonl"
CODEX_LOG="$WORK/codex.jsonl"
: >"$STAMPS"; : >"$CODEX_LOG"

# The multicad CLI with the daemon's environment (same store, same port),
# read once per daemon so nothing but the CLI itself runs inside a measurement.
CLI_ENV=()
cli() { (export "${CLI_ENV[@]}"; exec "$MULTICAD" "$@"); }

# Waits (at most 10 s) for the exec stamp of task $1; prints it.
stamp_of() {
  local i
  for ((i = 0; i < 500; i++)); do
    jq -ce --arg t "$1" 'select(.task == $t and .argv1 != "--version")' "$STAMPS" 2>/dev/null && return 0
    sleep 0.02
  done
  return 1
}

print_machine

# ---- pickup ------------------------------------------------------------------
wait_quiet "pickup (N=$SUBMITS)"
LOAD0=$LOAD_AT_START
start_daemon "$WORK/pickup" "$STAMP" EXEC_STAMP_TARGET="$FAKE_CODEX" EXEC_STAMP_LOG="$STAMPS" \
  FAKE_CODEX_LOG="$CODEX_LOG" FAKE_CODEX_SCENARIO=normal
mapfile -t CLI_ENV < <(daemon_env_of)
: >"$WORK/pickup.jsonl"
cli submit "warm-up" --wait >/dev/null 2>&1 || true
for ((i = 1; i <= SUBMITS; i++)); do
  t0=$EPOCHREALTIME
  id=$(cli submit "pickup $i" --wait 2>/dev/null | tail -1) || log "pickup: submit $i exited non-zero"
  t1=$EPOCHREALTIME
  st=$(stamp_of "$id") || { log "pickup: no exec stamp for $id"; continue; }
  rec=$(jq -c --arg t "$id" 'select(.argv[0] == "app-server" and .env.MULTICA_TASK_ID == $t)' "$CODEX_LOG" | head -1)
  jq -cn --arg id "$id" --arg t0 "$t0" --arg t1 "$t1" --argjson st "$st" --argjson rec "${rec:-null}" \
    '($t0 | tonumber * 1000) as $s
     | {id: $id, exec_ms: ($st.at_us / 1000 - $s), process_ms: (if $rec then $rec.time_origin_ms - $s else null end),
        record_ms: (if $rec then $rec.at_ms - $s else null end), submit_wait_ms: (($t1 | tonumber) * 1000 - $s)}' >>"$WORK/pickup.jsonl"
  ((i % 20)) || log "pickup: $i/$SUBMITS"
done
LOAD1=$(load1)
stop_daemon

# ---- cancel ------------------------------------------------------------------
wait_quiet "cancel (N=$CANCELS)"
start_daemon "$WORK/cancel" "$STAMP" EXEC_STAMP_TARGET="$FAKE_CODEX" EXEC_STAMP_LOG="$STAMPS" \
  FAKE_CODEX_LOG="$CODEX_LOG" FAKE_CODEX_SCENARIO=hang
mapfile -t CLI_ENV < <(daemon_env_of)
: >"$WORK/cancel.jsonl"
for ((i = 1; i <= CANCELS; i++)); do
  id=$(cli submit "hang $i" 2>/dev/null | tail -1)
  st=$(stamp_of "$id") || { log "cancel: agent of $id never started"; continue; }
  pid=$(jq -r .pid <<<"$st")
  sleep 1  # the agent boots and its turn starts (the fake codex hangs in it)
  "$WAIT_GONE" "$pid" 15000 >"$WORK/gone.json" 2>"$WORK/gone.err" &
  watcher=$!
  for _ in $(seq 100); do [ -s "$WORK/gone.err" ] && break; sleep 0.01; done  # the pidfd is open
  t0=$EPOCHREALTIME
  cli tasks cancel "$id" >/dev/null 2>&1 || log "cancel: tasks cancel $id exited non-zero"
  t1=$EPOCHREALTIME
  wait "$watcher" || true
  jq -c --arg id "$id" --arg t0 "$t0" --arg t1 "$t1" \
    '($t0 | tonumber * 1000) as $s | {id: $id, gone_ms: (if .gone_us then .gone_us / 1000 - $s else null end),
      cli_ms: (($t1 | tonumber) * 1000 - $s), error: .error}' "$WORK/gone.json" >>"$WORK/cancel.jsonl"
  # The task must end as cancelled before the next one (one at a time).
  for _ in $(seq 100); do cli tasks show "$id" --json 2>/dev/null | jq -e '.status == "cancelled"' >/dev/null && break; sleep 0.05; done
done
stop_daemon

node "$BENCH/lib/pickup_report.mjs" "$WORK/pickup.jsonl" "$WORK/cancel.jsonl" "$(machine_json)" "$LOAD0" "$LOAD1"
