#!/usr/bin/env bash
# Benchmark 12: enqueue -> Codex exec and enqueue -> complete with push and
# with polling, side by side with a bare Codex turn (issue 14).
#
#   bench/push_turn.sh             # N=15 rounds
#   BENCH_N=25 bench/push_turn.sh
#
# The REAL Codex (0.171.0) answering from the mock model (its default
# script), behind bench/exec_stamp, in three ways per round, in rotating
# order, each round at a random moment (0-3 s) of the poll cycle:
#   push   `multicad run` against a fake server with the daemon WebSocket on:
#          a queued task is announced (task_available) and claimed at once
#   poll   `multicad run` against a seed-era fake server (no WebSocket): the
#          daemon finds the task at its next poll (default 3 s)
#   bare   bench/bare_client: fork -> Codex exited, the turn alone
# Enqueue is just before POST /_fake/tasks; exec is exec_stamp's stamp;
# complete is the arrival of the complete call at the fake server. `phases`
# splits each turn at the mock model's requests: Codex's start (exec or fork
# -> first model request), the turn's middle (first -> last request: the
# command runs there), and the end (last request -> complete, or -> exit for
# the bare turn), so a difference can be put on the daemon or on Codex.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_N:-15}
RUN_TIMEOUT_S=120
bench_setup
need_real_codex
BARE=$(need_helper bare_client)
STAMP=$(need_helper exec_stamp --static)
watchdog $((300 + N * 3 * 30)) 1
STAMPS="$WORK/exec_stamps.jsonl"
RUNS="$WORK/runs.jsonl"
: >"$STAMPS"; : >"$RUNS"
print_machine
wait_quiet "push_turn (N=$N)"
LOAD0=$LOAD_AT_START
start_mock_model

# side MODE: a fake server (WebSocket on for push) and a daemon against it.
declare -A URL WS_ID
side() {
  local mode=$1 i
  start_fake_server
  [ "$mode" = push ] && fake POST /_fake/ws/config '{"websocket":true}' >/dev/null
  make_workspace
  mock_home "$WORK/$mode"
  start_daemon "$WORK/$mode" "$STAMP" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
    EXEC_STAMP_TARGET="$REAL_CODEX" EXEC_STAMP_LOG="$STAMPS"
  for ((i = 0; i < 100; i++)); do
    [ "$(curl -sf "http://127.0.0.1:$HEALTH_PORT/health" | jq -r .dispatch.mode)" = "$mode" ] && break
    sleep 0.1
  done
  URL[$mode]=$SERVER_URL
  WS_ID[$mode]=$WORKSPACE
}
side poll
side push

BDIR="$WORK/bare"
mock_home "$BDIR"

run_mode() {
  local mode=$1 i=$2 warm=$3
  SERVER_URL=${URL[$mode]} WORKSPACE=${WS_ID[$mode]}
  run_daemon_task "$i" "$warm" "$WORK/$mode.jsonl"
}

run_bare() {
  local i=$1 warm=$2 out exec_us
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", r / 32768 * 3 }')"  # as the daemons' enqueue jitter
  prepare_task_dir "$BDIR"
  mock POST /_mock/reset >/dev/null
  out=$(HOME="$BDIR/home" MULTICA_TASK_ID="bare-$i-$warm" EXEC_STAMP_TARGET="$REAL_CODEX" EXEC_STAMP_LOG="$STAMPS" \
    "$BARE" --codex "$STAMP" --codex-home "$TASK_CODEX_HOME" --cwd "$TASK_WORKDIR" --prompt "$TASK_PROMPT" \
    --stderr "$WORK/bare-codex.err" --timeout-s "$RUN_TIMEOUT_S" || true)
  jq -c --argjson i "$i" --argjson warm "$warm" --argjson model "$(mock_request_times)" \
    '. + {i: $i, warmup: $warm, model_at_ms: $model}' <<<"$out" >>"$WORK/bare.jsonl"
}

run_mode push 0 true; run_mode poll 0 true; run_bare 0 true
for ((i = 1; i <= N; i++)); do
  case $((i % 3)) in
    0) run_mode push "$i" false; run_mode poll "$i" false; run_bare "$i" false ;;
    1) run_mode poll "$i" false; run_bare "$i" false; run_mode push "$i" false ;;
    2) run_bare "$i" false; run_mode push "$i" false; run_mode poll "$i" false ;;
  esac
  log "push_turn: round $i/$N done (load $(load1))"
done
LOAD1=$(load1)

stat_of() { jq -r "select(.warmup == false) | $2" "$WORK/$1.jsonl" | stats; }
# Per round, MODE's enqueue -> complete minus the bare turn of the same round
# (run back to back, so both see the same moment of a shared machine).
paired() {
  jq -rs --arg m "$1" '(map(select(.kind == "bare")) | INDEX(.i)) as $bare
    | .[] | select(.kind == $m and .warmup == false) | (.end_ms - .created_ms) - $bare[(.i | tostring)].exit_ms' \
    <(jq -c '. + {kind: "bare"}' "$WORK/bare.jsonl") <(jq -c '. + {kind: "push"}' "$WORK/push.jsonl") \
    <(jq -c '. + {kind: "poll"}' "$WORK/poll.jsonl") | stats
}
jq -nc --arg load "$LOAD0 -> $LOAD1" --argjson n "$N" \
  --argjson push_exec "$(stat_of push '.exec_us / 1000 - .created_ms')" \
  --argjson push_start "$(stat_of push '(.calls[] | select(.[0] == "start") | .[1]) - .created_ms')" \
  --argjson push_tail "$(stat_of push '.end_ms - .exec_us / 1000')" \
  --argjson push_done "$(stat_of push '.end_ms - .created_ms')" \
  --argjson push_paired "$(paired push)" --argjson poll_paired "$(paired poll)" \
  --argjson poll_exec "$(stat_of poll '.exec_us / 1000 - .created_ms')" \
  --argjson poll_done "$(stat_of poll '.end_ms - .created_ms')" \
  --argjson poll_claim "$(stat_of poll '.claim_ms - .created_ms')" \
  --argjson push_boot "$(stat_of push '.model_at_ms[0] - .exec_us / 1000')" \
  --argjson push_span "$(stat_of push '.model_at_ms[-1] - .model_at_ms[0]')" \
  --argjson push_end "$(stat_of push '((.calls[] | select(.[0] == "complete") | .[1]) - .model_at_ms[-1])')" \
  --argjson bare_boot "$(stat_of bare '.model_at_ms[0] - .start_us / 1000')" \
  --argjson bare_span "$(stat_of bare '.model_at_ms[-1] - .model_at_ms[0]')" \
  --argjson bare_end "$(stat_of bare '.exit_us / 1000 - .model_at_ms[-1]')" \
  --argjson bare_exit "$(stat_of bare '.exit_ms')" \
  --argjson bare_turn "$(stat_of bare '.turn_completed_ms')" \
  '{bench: "push_turn", n: $n, load: $load,
    push: {enqueue_to_start_call_ms: $push_start, enqueue_to_exec_ms: $push_exec, exec_to_complete_ms: $push_tail,
           enqueue_to_complete_ms: $push_done},
    poll: {enqueue_to_claim_ms: $poll_claim, enqueue_to_exec_ms: $poll_exec, enqueue_to_complete_ms: $poll_done},
    bare: {fork_to_codex_exited_ms: $bare_exit, fork_to_turn_completed_ms: $bare_turn},
    phases: {push: {exec_to_first_model_request_ms: $push_boot, first_to_last_model_request_ms: $push_span,
                    last_model_request_to_complete_ms: $push_end},
             bare: {fork_to_first_model_request_ms: $bare_boot, first_to_last_model_request_ms: $bare_span,
                    last_model_request_to_exit_ms: $bare_end}},
    push_minus_bare_p50_ms: ($push_done.p50 - $bare_exit.p50), poll_minus_bare_p50_ms: ($poll_done.p50 - $bare_exit.p50),
    paired_push_minus_bare_ms: $push_paired, paired_poll_minus_bare_ms: $poll_paired}'
