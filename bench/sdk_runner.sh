#!/usr/bin/env bash
# Benchmark 2: multicad next to what a user would script instead, a Node
# runner on the official @openai/codex-sdk (bench/sdk_runner/index.mjs).
#
#   bench/sdk_runner.sh            # N=10 tasks each, interleaved
#   BENCH_N=20 bench/sdk_runner.sh
#
# The same task against the same mock model: the REAL Codex 0.171.0 (its
# native binary, which is what the SDK itself runs; the daemon is pointed at
# the same file), a task directory prepared as the daemon prepares one, the
# mock's default script (one exec_command, one answer).
#
# What each number includes:
#   daemon RSS     VmHWM of the `multicad run` process (/proc/PID/status): the
#                  daemon alone, its peak over its whole life (start-up, N
#                  tasks); Codex is a separate process and not in it.
#   runner RSS     /usr/bin/time -v "Maximum resident set size" of `node
#                  index.mjs`: GNU time reads wait4()'s ru_maxrss, the largest
#                  peak of the runner AND its waited-for descendants, so when
#                  Codex is larger than Node it is Codex's figure. Shown next to
#                  the runner's own peak (getrusage(RUSAGE_SELF), Node + SDK).
#   Codex RSS      bench/rss_sampler: every Codex process (marked by
#                  bench/exec_stamp, through which both start Codex) sampled
#                  every 20 ms; per task the sum of each process's peak VmHWM.
# Wall time: the daemon's from the fake server (claim -> complete); the
# runner's from just before /usr/bin/time starts it to its exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_N:-10}
RUN_TIMEOUT_S=120
SDK_VERSION=0.163.0   # no @openai/codex-sdk 0.171.0 exists; 0.163.0 is the newest (npm dist-tag latest)
SDK_DIR="$DEPS/sdk"
NATIVE_CODEX="$ROOT/.deps/codex/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"

# The SDK, pinned, into bench/.deps/sdk. --omit=optional: the SDK depends on
# @openai/codex of its own version, whose optional platform package is a
# second ~150 MB native Codex; the runner is given the 0.171.0 binary instead.
need_sdk() {
  if [ "$(jq -r .version "$SDK_DIR/node_modules/@openai/codex-sdk/package.json" 2>/dev/null)" = "$SDK_VERSION" ]; then
    return 0
  fi
  log "bench: installing @openai/codex-sdk@$SDK_VERSION into bench/.deps/sdk"
  mkdir -p "$SDK_DIR"
  [ -f "$SDK_DIR/package.json" ] || echo '{"private": true}' >"$SDK_DIR/package.json"
  npm install --prefix "$SDK_DIR" --no-audit --no-fund --loglevel=error --omit=optional "@openai/codex-sdk@$SDK_VERSION"
}

bench_setup
need_real_codex
need_sdk
[ -x "$NATIVE_CODEX" ] || die "no native Codex binary at $NATIVE_CODEX"
STAMP=$(need_helper exec_stamp --static)
SAMPLER=$(need_helper rss_sampler)
watchdog $((300 + N * 2 * 30)) 1

STAMPS="$WORK/exec_stamps.jsonl"
RUNS="$WORK/runs.jsonl"
: >"$STAMPS"; : >"$RUNS"

print_machine
wait_quiet "sdk_runner (N=$N)"
LOAD0=$LOAD_AT_START

start_compared_daemon "$NATIVE_CODEX" "$STAMP"

RDIR="$WORK/runner"
mock_home "$RDIR"

# One task through the SDK runner; appends its record to $RUNS.
run_sdk() {
  local i=$1 warm=$2 t0 t1 out max_rss
  prepare_task_dir "$RDIR"
  mock POST /_mock/reset >/dev/null
  t0=$EPOCHREALTIME
  out=$(HOME="$RDIR/home" MULTICA_TASK_ID="sdk-$i-$warm" EXEC_STAMP_TARGET="$NATIVE_CODEX" EXEC_STAMP_LOG="$STAMPS" \
    CODEX_SDK_DIR="$SDK_DIR" timeout "$RUN_TIMEOUT_S" /usr/bin/time -v -o "$WORK/time.txt" \
    node "$BENCH/sdk_runner/index.mjs" "$STAMP" "$TASK_CODEX_HOME" "$TASK_WORKDIR" "$TASK_PROMPT" || true)
  t1=$EPOCHREALTIME
  max_rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
  jq -c --argjson i "$i" --argjson warm "$warm" --argjson wall "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')" \
    --argjson max_rss "${max_rss:-null}" --arg task "sdk-$i-$warm" \
    '. + {kind: "sdk", i: $i, warmup: $warm, wall_ms: $wall, time_v_max_rss_kb: $max_rss, task: $task}' <<<"$out" >>"$RUNS"
  [ "$(jq -r '.error // empty' <<<"$out")" = "" ] || log "sdk run $i: $out"
}

bg_start rss_sampler "$SAMPLER" --match "BENCH_RUN_ID=$BENCH_RUN_ID" --match EXEC_STAMP_CHILD=1 \
  --group-by MULTICA_TASK_ID --interval-ms 20 --out "$WORK/codex_rss.json"
SAMPLER_PGID=$BG_PID

run_interleaved sdk_runner run_sdk

DAEMON_HWM=$(proc_status "$DAEMON_PID" VmHWM)
DAEMON_RSS=$(proc_status "$DAEMON_PID" VmRSS)
stop_group "$SAMPLER_PGID" 5
for _ in $(seq 50); do [ -s "$WORK/codex_rss.json" ] && break; sleep 0.1; done

node "$BENCH/lib/sdk_report.mjs" "$RUNS" "$WORK/codex_rss.json" "$DAEMON_HWM" "$DAEMON_RSS" "$(machine_json)" \
  "$LOAD0" "$(load1)" "$SDK_VERSION"
stop_daemon
