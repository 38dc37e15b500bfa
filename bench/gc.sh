#!/usr/bin/env bash
# Benchmark 6: what a GC pass costs over 10 000 task folders, and whether it
# stalls the event loop (it must not: the walk runs on the worker pool).
#
#   bench/gc.sh                        # 10 000 folders, 3 measured passes
#   BENCH_GC_FOLDERS=2000 bench/gc.sh
#
# The tree (bench/lib/seed_tasks.mjs): N task folders in 10 workspaces, each
# with GC metadata, a Codex home with one session, context files and a small
# repository; every 5th also holds a node_modules (10 packages x 5 files).
# Baselines on the same tree: `du -sxB1` and `multicad disk-usage --json`
# (the same survey code, in one process without a daemon).
#
# (a) steady state: a local-mode daemon (fake codex, gc.interval 5s, every
#     TTL far away, no quota) runs passes that measure everything and remove
#     nothing. Per pass: its duration and walk time (the DEBUG "GC pass" line),
#     and the daemon's I/O between consecutive pass ends (/proc/PID/io: read
#     syscalls, bytes read from storage, CPU ticks); the first pass may start
#     with a cold page cache (dropped when this script may), the others are warm.
# (b) artifact clean-up: the same tree, gc.artifact_ttl 1s: the first pass
#     removes every node_modules (N/5 folders). Its duration, freed bytes, I/O,
#     next to `rm -rf` of an identical copy of those folders (cold cache).
# Throughout, GET /health every 20 ms: its latency (curl's time_total) during
# passes is the event loop's responsiveness while the pool walks.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FOLDERS=${BENCH_GC_FOLDERS:-10000}
PASSES=3
bench_setup
watchdog $((900 + FOLDERS / 10)) 2
print_machine

GCDIR="$WORK/gc"
mkdir -p "$GCDIR/ws"
log "seeding $FOLDERS task folders"
t0=$(now_ms)
SEED=$(node "$BENCH/lib/seed_tasks.mjs" "$GCDIR/ws" "$FOLDERS")
log "seeded in $(( $(now_ms) - t0 )) ms: $SEED"

drop_caches() {  # 1 when the page cache could be dropped (root outside a read-only /proc/sys)
  sync
  if { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then echo 1; else echo 0; fi
}

# ---- baselines ---------------------------------------------------------------
wait_quiet "gc baselines"
COLD=$(drop_caches)
t0=$(now_ms); DU_BYTES=$(du -sxB1 "$GCDIR/ws" | cut -f1); DU_COLD_MS=$(( $(now_ms) - t0 ))
t0=$(now_ms); du -sxB1 "$GCDIR/ws" >/dev/null; DU_WARM_MS=$(( $(now_ms) - t0 ))
cli_usage() {
  env -u MULTICA_WORKSPACES_ROOT HOME="$GCDIR/home" MULTICA_WORKSPACES_ROOT="$GCDIR/ws" MULTICA_DAEMON_HEALTH_PORT=1 \
    "$MULTICAD" disk-usage --json --top 1
}
t0=$(now_ms); USAGE=$(cli_usage); USAGE_MS=$(( $(now_ms) - t0 ))
[ "$(jq .total_bytes <<<"$USAGE")" = "$DU_BYTES" ] || log "WARNING: disk-usage total $(jq .total_bytes <<<"$USAGE") != du $DU_BYTES"

# ---- helpers -----------------------------------------------------------------
io_sample() {  # one JSON object: /proc/PID/io and CPU ticks now
  jq -cn --argjson ticks "$(proc_cpu_ticks "$DAEMON_PID")" --argjson at "$(now_ms)" \
    --argjson io "$(awk -F': ' '{ printf "%s\"%s\": %s", (NR > 1 ? ", " : "{"), $1, $2 } END { print "}" }' "/proc/$DAEMON_PID/io")" \
    '$io + {cpu_ticks: $ticks, at_ms: $at}'
}
passes_logged() { grep -c 'GC pass task_folders' "$DAEMON_LOG" 2>/dev/null || true; }
wait_passes() {  # wait_passes K: until K passes are logged (at most 10 min)
  local i
  for ((i = 0; i < 6000; i++)); do
    [ "$(passes_logged)" -ge "$1" ] && return 0
    sleep 0.1
  done
  die "pass $1 not logged: $(tail -5 "$DAEMON_LOG")"
}
start_prober() {  # GET /health every 20 ms: "at_ms latency_ms status" per line
  bg_start "prober-$1" bash -c "while :; do t=\$(date +%s%3N); r=\$(curl -s -o /dev/null -w '%{time_total} %{http_code}' --max-time 10 http://127.0.0.1:$HEALTH_PORT/health); echo \"\$t \$r\"; sleep 0.02; done"
  PROBER=$BG_PID
}

gc_daemon() {  # gc_daemon [VAR=VALUE...]: a local-mode daemon on the tree, passes every 5 s
  start_daemon "$GCDIR" "$FAKE_CODEX" MULTICA_LOG_LEVEL=debug MULTICA_GC_INTERVAL=5s MULTICA_GC_TTL=100000h \
    MULTICA_GC_ORPHAN_TTL=100000h MULTICA_GC_MAX_SIZE=0 MULTICA_GC_MIN_FREE=0 "$@"
}

# ---- (a) steady state ----------------------------------------------------------
wait_quiet "gc steady state"
LOAD_A=$LOAD_AT_START
COLD_A=$(drop_caches)
gc_daemon MULTICA_GC_ARTIFACT_TTL=100000h
start_prober steady
: >"$WORK/steady.jsonl"
io_sample >"$WORK/steady.jsonl"
for ((k = 1; k <= PASSES; k++)); do
  wait_passes "$k"
  io_sample >>"$WORK/steady.jsonl"
done
stop_group "$PROBER" 2
grep 'GC pass task_folders' "$DAEMON_LOG" >"$WORK/steady.passes"
cp "$WORK/prober-steady.out" "$WORK/steady.probe"
stop_daemon
mv "$DAEMON_LOG" "$WORK/steady.log"

# ---- (b) artifact clean-up ----------------------------------------------------
# Its baseline: `rm -rf` of an identical copy of every node_modules.
mkdir -p "$WORK/rm-copy"
(cd "$GCDIR/ws" && find . -type d -name node_modules -prune -exec cp -a --parents -t "$WORK/rm-copy" {} +)
wait_quiet "rm -rf baseline"
drop_caches >/dev/null
t0=$(now_ms); rm -rf "$WORK/rm-copy"; RM_MS=$(( $(now_ms) - t0 ))

wait_quiet "gc artifact clean-up"
LOAD_B=$LOAD_AT_START
COLD_B=$(drop_caches)
gc_daemon MULTICA_GC_ARTIFACT_TTL=1s
start_prober artifacts
io_sample >"$WORK/artifacts.jsonl"
wait_passes 1
io_sample >>"$WORK/artifacts.jsonl"
stop_group "$PROBER" 2
grep 'GC pass task_folders' "$DAEMON_LOG" >"$WORK/artifacts.passes"
grep 'GC pass freed disk space' "$DAEMON_LOG" >"$WORK/artifacts.freed" || true
cp "$WORK/prober-artifacts.out" "$WORK/artifacts.probe"
stop_daemon
AFTER_BYTES=$(du -sxB1 "$GCDIR/ws" | cut -f1)
LEFT=$(find "$GCDIR/ws" -type d -name node_modules | wc -l)

node "$BENCH/lib/gc_report.mjs" "$WORK" "$(machine_json)" "$(jq -cn \
  --argjson seed "$SEED" --argjson du_bytes "$DU_BYTES" --argjson du_cold_ms "$DU_COLD_MS" --argjson du_warm_ms "$DU_WARM_MS" \
  --argjson usage_ms "$USAGE_MS" --argjson usage_total "$(jq .total_bytes <<<"$USAGE")" --argjson cold "$COLD" \
  --argjson cold_a "$COLD_A" --argjson cold_b "$COLD_B" --argjson load_a "$LOAD_A" --argjson load_b "$LOAD_B" \
  --argjson after "$AFTER_BYTES" --argjson left "$LEFT" --argjson tck "$CLK_TCK" --argjson rm_ms "$RM_MS" \
  '{seed: $seed, du_bytes: $du_bytes, du_cold_ms: $du_cold_ms, du_warm_ms: $du_warm_ms, disk_usage_ms: $usage_ms,
    disk_usage_total: $usage_total, caches_dropped: ($cold == 1), cold_a: ($cold_a == 1), cold_b: ($cold_b == 1),
    load_a: $load_a, load_b: $load_b, bytes_after_cleanup: $after, node_modules_left: $left, clk_tck: $tck,
    rm_rf_ms: $rm_ms}')"
