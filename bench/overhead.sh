#!/usr/bin/env bash
# Benchmark 1: what multicad adds to one task over running Codex bare.
#
#   bench/overhead.sh            # N=30 runs of each, interleaved (+ a diagnosis pass if a target is missed)
#   BENCH_N=40 BENCH_DIAG=0 bench/overhead.sh
#
# (a) `multicad run` in server mode against the fake Multica server, with the
#     REAL Codex (0.171.0) answering from the mock Responses API (default mock
#     script: one exec_command, then a text answer). Per-task wall time is the
#     server's view: arrival of the claim that returned the task -> arrival of
#     its complete call (/_fake/calls at_ms).
# (b) bench/bare_client.cpp: fork/exec `codex app-server --listen stdio://` in
#     a task directory prepared exactly as the daemon prepares one (`multicad
#     env prepare`), initialize -> thread/start -> turn/start -> turn/completed
#     over blocking pipes, close stdin, wait for Codex to exit (the daemon
#     reports only after Codex exited, so that is the like-for-like end).
#     Per-task wall time: just before fork -> Codex reaped.
# Both start Codex through bench/exec_stamp.cpp, which stamps the exec time
# (µs) and execs the real Codex, so claim -> exec is measured from the
# daemon's side without /proc's 10 ms start-time granularity, and both sides
# pay the same ~1 ms for the wrapper.
# Runs alternate (daemon, bare, bare, daemon, ...) so drift in the machine's
# load hits both alike; the mock model is reset before every run, and its
# request times split each run into phases (see lib/overhead_report.mjs).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_N:-30}
RUN_TIMEOUT_S=120          # one task; the whole script is bounded by N * 2 * this
TOTAL_LIMIT_S=$((600 + N * 2 * 20))  # includes the diagnosis pass

bench_setup
need_real_codex
BARE=$(need_helper bare_client)
STAMP=$(need_helper exec_stamp --static)
watchdog "$TOTAL_LIMIT_S" 1

STAMPS="$WORK/exec_stamps.jsonl"
RUNS="$WORK/runs.jsonl"
: >"$STAMPS"; : >"$RUNS"

print_machine
# Wait for a quiet machine before starting anything, so nothing idles through the wait.
wait_quiet "overhead (N=$N)"
LOAD0=$LOAD_AT_START

# The daemon: server mode, default intervals, the mock model in its shared
# CODEX_HOME (the task's codex-home is seeded from it).
start_compared_daemon "$REAL_CODEX" "$STAMP"

# The bare client's own home, prepared the same way.
BDIR="$WORK/bare"
mock_home "$BDIR"

# One bare-client task; appends its record to $RUNS.
run_bare() {
  local i=$1 warm=$2 out load exec_us
  load=$(load1)
  prepare_task_dir "$BDIR"
  mock POST /_mock/reset >/dev/null
  out=$(HOME="$BDIR/home" MULTICA_TASK_ID="bare-$i-$warm" EXEC_STAMP_TARGET="$REAL_CODEX" EXEC_STAMP_LOG="$STAMPS" \
    "$BARE" --codex "$STAMP" --codex-home "$TASK_CODEX_HOME" --cwd "$TASK_WORKDIR" --prompt "$TASK_PROMPT" \
    --stderr "$WORK/bare-codex.err" --timeout-s "$RUN_TIMEOUT_S" || true)
  exec_us=$(jq -r --arg t "bare-$i-$warm" 'select(.task == $t) | .at_us' "$STAMPS" | head -1)
  jq -c --argjson i "$i" --argjson warm "$warm" --argjson load "$load" --argjson model "$(mock_request_times)" \
    --argjson exec_us "${exec_us:-null}" \
    '. + {kind: "bare", i: $i, warmup: $warm, load: $load, model_at_ms: $model, exec_us: $exec_us}' <<<"$out" >>"$RUNS"
  [ "$(jq -r .turn_status <<<"$out")" = completed ] || log "bare run $i: $out"
}

# Where the daemon's time goes, when a target was missed (BENCH_DIAG=0 skips,
# =1 forces): K more daemon tasks (1) under strace, tracing only fsync,
# fork/exec and sends (seccomp-bpf: the rest runs untraced), and (2) with
# the workspaces root and state dir on tmpfs, where fsync costs nothing.
diagnose() {
  local k=${BENCH_DIAG_N:-10} i dir
  log "overhead: diagnosis, $k tasks under strace and $k with the task directories on tmpfs"
  stop_daemon
  dir="$WORK/diag-strace"; mock_home "$dir"
  # shellcheck disable=SC2054  # the commas belong to strace's -e list
  DAEMON_PREFIX=(strace -f --seccomp-bpf -ttt -T -o "$WORK/daemon.strace"
    -e trace=fsync,fdatasync,clone,clone3,execve,sendmsg,sendto)
  start_daemon "$dir" "$STAMP" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
    EXEC_STAMP_TARGET="$REAL_CODEX" EXEC_STAMP_LOG="$STAMPS"
  DAEMON_PREFIX=()
  run_daemon_task 0 true "$WORK/diag-strace.jsonl"
  for ((i = 1; i <= k; i++)); do run_daemon_task "$i" false "$WORK/diag-strace.jsonl"; done
  stop_daemon
  echo; echo "== Diagnosis 1: the daemon under strace (fsync, fork/exec, sends only)"; echo
  node "$BENCH/lib/strace_report.mjs" "$WORK/daemon.strace" "$WORK/diag-strace.jsonl"

  dir=$(mktemp -d /dev/shm/multicad-bench.XXXXXX); EXTRA_DIRS+=("$dir")
  mock_home "$dir"
  start_daemon "$dir" "$STAMP" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
    EXEC_STAMP_TARGET="$REAL_CODEX" EXEC_STAMP_LOG="$STAMPS"
  run_daemon_task 0 true "$WORK/diag-tmpfs.jsonl"
  for ((i = 1; i <= k; i++)); do run_daemon_task "$i" false "$WORK/diag-tmpfs.jsonl"; done
  stop_daemon
  echo; echo "== Diagnosis 2: task directories and store on tmpfs (no fsync cost), same daemon"; echo
  node "$BENCH/lib/overhead_report.mjs" --daemon-only "$WORK/diag-tmpfs.jsonl"
}

# The warm-ups absorb the page cache, Codex's first start, the daemon's first task.
run_interleaved overhead run_bare

REPORT=$(node "$BENCH/lib/overhead_report.mjs" "$RUNS" "$(machine_json)" "$LOAD0" "$(load1)")
echo "$REPORT"
missed=$(tail -1 <<<"$REPORT" | jq '[.targets[] | select(. == false)] | length')
case "${BENCH_DIAG:-auto}" in
  1) diagnose ;;
  auto) [ "$missed" -gt 0 ] && diagnose ;;
esac
[ "${BENCH_KEEP:-0}" = 1 ] && cp "$WORK"/*.jsonl "$DEPS/" 2>/dev/null
stop_daemon
