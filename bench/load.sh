#!/usr/bin/env bash
# Benchmark 4: 50 concurrent tasks, each streaming 100 agent events a second.
#
#   bench/load.sh
#   BENCH_TASKS=20 BENCH_RATE=50 BENCH_EVENTS=1500 bench/load.sh   # smaller
#   BENCH_POST_DELAY_MS=20 BENCH_EVENTS=1000 bench/load.sh         # a server 20 ms away
#
# BENCH_POST_DELAY_MS makes the fake server answer every message POST that
# much later (a `delay` fault), as a server across a network would: the
# daemon delivers up to four tasks' reports at once, so this shows where
# that limits.
#
# The daemon (server mode, MULTICA_DAEMON_MAX_CONCURRENT_TASKS=50) claims 50
# tasks, each bound to its own agent so the fake server's per-agent cap does
# not bind. Each runs the FAKE codex in scenario `flood`: 3000 items at 100/s
# (30 s), alternating agentMessage and commandExecution, with
# FAKE_CODEX_EVENT_TIMESTAMPS=1 so every item carries the time it was written.
#
# Counted exactly:
#   emitted    the fake codex's own record of what it wrote (FAKE_CODEX_LOG,
#              one `flood` record per process, tied to its task by the start
#              record's MULTICA_TASK_ID)
#   received   /_fake/state messages: every tool_use ("echo <i> @<ms>") and
#              tool_result ("<i> @<ms>") must be there exactly once, by index;
#              text fragments are coalesced into one message per flush, so
#              they are counted by their "flood message <i>" markers
#   latency    per message: arrival of the POST that carried it at the fake
#              server (/_fake/calls at_ms) minus the time the fake codex wrote
#              the item (its "@<ms>")
#   POSTs      message POSTs per task per second: (POSTs - 1) / (last - first
#              POST), i.e. one over the mean spacing; also the most in any
#              sliding second and the smallest gap between two
#   delivery   the outbox depth each second and the daemon's own request
#              timings (/metrics): reports go out four at a time at most, so
#              the time spent waiting on POSTs over 4 x the run says how close
#              delivery is to full
#   CPU, RSS   the daemon process (/proc/PID/stat utime+stime, which Linux
#              scales to the scheduler's exact runtime; perf stat -i as a
#              cross-check; VmHWM), and beside it what the fake codexes (the
#              daemon's reaped children) and the fake server used, since all
#              share 2 cores
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TASKS=${BENCH_TASKS:-50}
RATE=${BENCH_RATE:-100}
EVENTS=${BENCH_EVENTS:-3000}
POST_DELAY_MS=${BENCH_POST_DELAY_MS:-0}
FLOOD_S=$((EVENTS / RATE))
bench_setup
need_debs linux-perf || log "bench: linux-perf not installable; perf figures skipped"
watchdog $((420 + 6 * FLOOD_S)) 1

CODEX_LOG="$WORK/codex.jsonl"
: >"$CODEX_LOG"

print_machine
wait_quiet "load ($TASKS tasks x $RATE events/s x ${FLOOD_S}s)"
LOAD0=$LOAD_AT_START

start_fake_server
make_workspace
if ((POST_DELAY_MS > 0)); then
  fake POST /_fake/faults "{\"method\":\"POST\",\"path\":\"/messages\$\",\"mode\":\"delay\",\"delay_ms\":$POST_DELAY_MS,\"count\":-1}" >/dev/null
fi
start_daemon "$WORK/daemon" "$FAKE_CODEX" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
  MULTICA_DAEMON_MAX_CONCURRENT_TASKS="$TASKS"

# "utime stime cutime cstime" of PID, in clock ticks.
cpu_fields() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12, $13, $14, $15 }'; }

metric() {  # metric NAME: the sum of a /metrics family's samples
  curl -sf --max-time 5 "http://127.0.0.1:$HEALTH_PORT/metrics" | awk -v n="$1" '$1 ~ "^"n"({|$)" { s += $2 } END { print s + 0 }'
}

# Waits until every task ended and the outbox is empty (bounded).
wait_done() {
  local deadline=$((SECONDS + 4 * FLOOD_S + 180)) ended
  while ((SECONDS < deadline)); do
    ended=$(curl -sf --max-time 5 "http://127.0.0.1:$HEALTH_PORT/metrics" |
      awk '$1 ~ /^multicad_tasks_finished_total\{/ { s += $2 } END { print s + 0 }')
    if [ "$ended" -ge "$TASKS" ] && [ "$(metric multicad_outbox_depth)" = 0 ]; then return 0; fi
    sleep 1
  done
  log "load: not every task ended in time ($ended of $TASKS)"
}

# The daemon's RSS and outbox depth every second, for the time series in the report.
bg_start series bash -c "while sleep 1; do echo \"\$(date +%s%3N) \$(awk '/^VmRSS/ { print \$2 }' /proc/$DAEMON_PID/status) \
  \$(curl -sf --max-time 1 http://127.0.0.1:$HEALTH_PORT/metrics | awk '\$1 == \"multicad_outbox_depth\" { print \$2 }')\"; done"
PERF_OUT="$WORK/perf.csv"
if perf stat -e task-clock true >/dev/null 2>&1; then
  # -i (no inherit): without it perf also counts the fake codexes the daemon forks.
  bg_start perf perf stat -i -x, -e task-clock,context-switches,cpu-migrations -p "$DAEMON_PID" -o "$PERF_OUT"
  PERF_PGID=$BG_PID
fi

D0=$(cpu_fields "$DAEMON_PID"); S0=$(cpu_fields "$SERVER_PGID"); T0=$(now_ms)
node --input-type=module -e "
  import { control } from '$BENCH/lib/fake_tasks.mjs';
  const env = { FAKE_CODEX_SCENARIO: 'flood', FAKE_CODEX_RATE: '$RATE', FAKE_CODEX_EVENTS: '$EVENTS',
                FAKE_CODEX_EVENT_TIMESTAMPS: '1', FAKE_CODEX_LOG: '$CODEX_LOG' };
  for (let i = 0; i < $TASKS; i++)
    await control('$SERVER_URL', 'POST', '/_fake/tasks', { workspace_id: '$WORKSPACE',
      agent: { name: 'Flood ' + i, instructions: 'Be brief.', custom_env: env } });
"
TQ=$(now_ms)
log "load: $TASKS tasks queued; waiting for them (~${FLOOD_S}s each, all at once)"
wait_done
T1=$(now_ms); D1=$(cpu_fields "$DAEMON_PID"); S1=$(cpu_fields "$SERVER_PGID")
HWM=$(proc_status "$DAEMON_PID" VmHWM)
[ -n "${PERF_PGID:-}" ] && { kill -INT "$PERF_PGID" 2>/dev/null || true; sleep 0.5; }

curl -sf --max-time 120 "$SERVER_URL/_fake/state" -o "$WORK/state.json"
curl -sf --max-time 120 "$SERVER_URL/_fake/calls" -o "$WORK/calls.json"
cp "$WORK/series.out" "$WORK/series.txt"
curl -sf --max-time 10 "http://127.0.0.1:$HEALTH_PORT/metrics" -o "$WORK/metrics.txt"

jq -cn \
  --argjson tasks "$TASKS" --argjson rate "$RATE" --argjson events "$EVENTS" --argjson t0 "$T0" --argjson t1 "$T1" --argjson tq "$TQ" \
  --argjson post_delay "$POST_DELAY_MS" \
  --arg d0 "$D0" --arg d1 "$D1" --arg s0 "$S0" --arg s1 "$S1" --argjson hwm "$HWM" --argjson tck "$CLK_TCK" \
  --argjson load0 "$LOAD0" --argjson load1 "$(load1)" --argjson machine "$(machine_json)" \
  '{tasks: $tasks, rate: $rate, events: $events, post_delay_ms: $post_delay, t0: $t0, t1: $t1, queued_ms: $tq, daemon_cpu0: $d0, daemon_cpu1: $d1,
    server_cpu0: $s0, server_cpu1: $s1, vmhwm_kb: $hwm, clk_tck: $tck, load_start: $load0, load_end: $load1, machine: $machine}' \
  >"$WORK/params.json"
# (BENCH_KEEP=1 keeps $WORK, and this line re-runs the report on it.)
node --max-old-space-size=4096 "$BENCH/lib/load_report.mjs" "$WORK" "$(cat "$WORK/params.json")"
stop_daemon
