#!/usr/bin/env bash
# Benchmark 3: what an idle daemon costs.
#
#   bench/idle.sh                  # 60 s per mode
#   BENCH_IDLE_S=120 bench/idle.sh
#
# (a) server mode: one workspace on the fake server, default intervals (poll
#     3 s, heartbeat 15 s), no tasks; (b) local mode (no server). The window
#     starts once /health says "running". Over it:
#   RSS        VmRSS and VmHWM of the daemon process (/proc/PID/status), split
#              into anonymous (the daemon's own) and file-backed (shared
#              libraries and the binary, shared with other processes) pages,
#              Pss (smaps_rollup) and the largest mappings
#   CPU        utime+stime delta (/proc/PID/stat, clock ticks of 10 ms), and
#              perf stat's task-clock when perf works (precise, all threads)
#   wake-ups   voluntary + nonvoluntary context switches, summed over all the
#              daemon's threads (/proc/PID/task/*/status), delta; perf stat's
#              context-switches as a cross-check
#   requests   every daemon request the fake server recorded in the window
# Nothing but the daemon is measured; the fake server is idle between polls.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

IDLE_S=${BENCH_IDLE_S:-60}
bench_setup
need_debs linux-perf || log "bench: linux-perf not installable; perf figures skipped"
watchdog $((240 + 2 * IDLE_S)) 2

# One JSON object of the daemon's counters now.
sample() {
  local pid=$1 vol=0 inv=0 t v
  for t in /proc/"$pid"/task/*; do
    v=$(awk '/^voluntary_ctxt_switches/ { a = $2 } /^nonvoluntary_ctxt_switches/ { b = $2 } END { print a + 0, b + 0 }' "$t/status" 2>/dev/null) || continue
    vol=$((vol + ${v% *})); inv=$((inv + ${v#* }))
  done
  jq -cn --argjson ticks "$(proc_cpu_ticks "$pid")" --argjson rss "$(proc_status "$pid" VmRSS)" \
    --argjson hwm "$(proc_status "$pid" VmHWM)" --argjson threads "$(proc_status "$pid" Threads)" \
    --argjson anon "$(proc_status "$pid" RssAnon)" --argjson file "$(proc_status "$pid" RssFile)" \
    --argjson pss "$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")" \
    --argjson vol "$vol" --argjson inv "$inv" --argjson at "$(now_ms)" \
    '{at_ms: $at, cpu_ticks: $ticks, vmrss_kb: $rss, vmhwm_kb: $hwm, rss_anon_kb: $anon, rss_file_kb: $file, pss_kb: $pss,
      threads: $threads, vol_cs: $vol, invol_cs: $inv}'
}

# Where the resident memory is: kB per mapping (file, [heap], ...), largest first.
top_mappings() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon]" : $6) } /^Rss:/ { r[name] += $2 }
       END { for (n in r) if (r[n] >= 100) printf "%d %s\n", r[n], n }' "/proc/$1/smaps" | sort -rn | head -8 |
    jq -Rcn '[inputs | capture("^(?<kb>[0-9]+) (?<mapping>.*)$") | .kb |= tonumber]'
}

# perf stat over the window when perf can count software events here, else a plain sleep.
perf_window() {
  local pid=$1 out=$2
  if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
    perf stat -x, -e task-clock,context-switches,cpu-migrations,page-faults -p "$pid" -o "$out" -- sleep "$IDLE_S" || sleep "$IDLE_S"
  else
    : >"$out"; sleep "$IDLE_S"
  fi
}

# measure MODE LOAD: one idle window of the daemon started just before (LOAD: the
# 1-min load it started at); appends one JSON line.
measure() {
  local mode=$1 load=$2 before after calls perf_csv
  [ "$mode" = server ] && fake DELETE /_fake/calls >/dev/null
  before=$(sample "$DAEMON_PID")
  perf_csv="$WORK/perf-$mode.csv"
  perf_window "$DAEMON_PID" "$perf_csv"
  after=$(sample "$DAEMON_PID")
  local maps; maps=$(top_mappings "$DAEMON_PID")
  if [ "$mode" = server ]; then calls=$(fake GET /_fake/calls | jq -c '[.[] | .method + " " + (.path | sub("/[0-9a-f-]{36}"; "/{id}"; "g"))] | group_by(.) | map({(.[0]): length}) | add // {}')
  else calls='{}'; fi
  jq -cn --arg mode "$mode" --argjson b "$before" --argjson a "$after" --argjson calls "$calls" --argjson maps "$maps" \
    --argjson tck "$CLK_TCK" --argjson load "$load" --arg perf "$(grep -v '^#' "$perf_csv" | grep . || true)" '
    ($a.at_ms - $b.at_ms) as $ms
    | ($perf | split("\n") | map(split(",")) | map(select(length > 2)) | map({(.[2]): (.[0] | tonumber? // null)}) | add // {}) as $p
    | {mode: $mode, load: $load, window_s: ($ms / 1000), vmrss_mb: ($a.vmrss_kb / 1024), vmhwm_mb: ($a.vmhwm_kb / 1024),
       rss_anon_mb: ($a.rss_anon_kb / 1024), rss_file_mb: ($a.rss_file_kb / 1024), pss_mb: ($a.pss_kb / 1024),
       top_mappings_kb: $maps, threads: $a.threads, cpu_ms: (($a.cpu_ticks - $b.cpu_ticks) * 1000 / $tck),
       cpu_pct: (($a.cpu_ticks - $b.cpu_ticks) * 1000 / $tck / $ms * 100),
       perf_task_clock_ms: $p["task-clock"], perf_cpu_pct: (if $p["task-clock"] then $p["task-clock"] / $ms * 100 else null end),
       perf_context_switches: $p["context-switches"],
       wakeups: (($a.vol_cs - $b.vol_cs) + ($a.invol_cs - $b.invol_cs)),
       wakeups_per_s: ((($a.vol_cs - $b.vol_cs) + ($a.invol_cs - $b.invol_cs)) / ($ms / 1000)),
       voluntary: ($a.vol_cs - $b.vol_cs), nonvoluntary: ($a.invol_cs - $b.invol_cs),
       requests: ($calls | [.[]] | add // 0), requests_by_kind: $calls}' >>"$WORK/idle.jsonl"
}

print_machine
: >"$WORK/idle.jsonl"

# (a) server mode, default intervals.
wait_quiet "idle server"
start_fake_server
make_workspace
start_daemon "$WORK/server" "$FAKE_CODEX" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN"
measure server "$LOAD_AT_START"
stop_daemon

# (b) local mode.
wait_quiet "idle local"
start_daemon "$WORK/local" "$FAKE_CODEX"
measure local "$LOAD_AT_START"
stop_daemon

node "$BENCH/lib/idle_report.mjs" "$WORK/idle.jsonl" "$(machine_json)"
