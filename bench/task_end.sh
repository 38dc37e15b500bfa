#!/usr/bin/env bash
# Benchmark 10: a task's end against a server 50 ms away (issue 14).
# The fake Multica server delays every answer to /api/daemon/* by
# BENCH_TASK_END_DELAY_MS (50); the FAKE codex runs the `tools` scenario
# (a transcript, token usage, an answer) and stamps its own exit
# (FAKE_CODEX_EXIT_LOG). Per task: from the agent's exit to the moment the
# server answered `complete` (the complete applied), and the daemon's
# requests for the task in that span, in arrival order on the server's clock.
# Run once per multicad binary given (default: build/default), so a build
# of the base branch gives the "before" figure beside this one:
#
#   bench/task_end.sh                                   # 20 tasks
#   BENCH_TASK_END_N=15 bench/task_end.sh /work/main/build/default/daemon/multicad build/default/daemon/multicad
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_TASK_END_N:-20}
DELAY=${BENCH_TASK_END_DELAY_MS:-50}
BINARIES=("$@")
[ ${#BINARIES[@]} -eq 0 ] && BINARIES=("$MULTICAD_BUILD")
bench_setup
watchdog $((60 + N * 10 * ${#BINARIES[@]})) 2
print_machine
AGENT='{"name":"Bench","instructions":"Be brief."}'

# measure BINARY TAG: one daemon against a fresh fake server; prints one JSON line.
measure() {
  local bin=$1 tag=$2 i rec exit_ms spans=() trips=()
  mkdir -p "$WORK/$tag/bin"
  cp "$bin" "$WORK/$tag/bin/multicad"
  MULTICAD="$WORK/$tag/bin/multicad"
  start_fake_server
  make_workspace
  fake POST /_fake/faults "{\"path\":\"^/api/daemon/\",\"mode\":\"delay\",\"delay_ms\":$DELAY,\"count\":-1}" >/dev/null
  local exits="$WORK/$tag/exits.jsonl"
  start_daemon "$WORK/$tag" "$FAKE_CODEX" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
    MULTICA_DAEMON_POLL_INTERVAL=1s FAKE_CODEX_SCENARIO=tools FAKE_CODEX_USAGE=1000,100,200,30 \
    FAKE_CODEX_EXIT_LOG="$exits"
  for ((i = 1; i <= N; i++)); do
    rec=$(node "$BENCH/lib/fake_tasks.mjs" run "$SERVER_URL" "$WORKSPACE" "$AGENT" 60)
    [ "$(jq -r .status <<<"$rec")" = completed ] || die "task ended $(jq -c '{status, error}' <<<"$rec")"
    exit_ms=$(jq -s '[.[] | select(.argv1 == "app-server")] | last | .exit_ms' "$exits")
    spans+=("$(jq --argjson x "$exit_ms" '.end_done_ms - $x' <<<"$rec")")
    # The daemon's requests for the task that arrived after the agent's exit, in arrival order.
    trips+=("$(jq -c --argjson x "$exit_ms" '[.calls[] | select(.[1] >= ($x | floor)) | .[0]]' <<<"$rec")")
  done
  stop_daemon
  stop_group "$SERVER_PGID" 2
  jq -nc --arg tag "$tag" --arg bin "$bin" --argjson delay "$DELAY" \
    --argjson span "$(printf '%s\n' "${spans[@]}" | stats)" \
    --argjson seqs "$(printf '%s\n' "${trips[@]}" | jq -sc 'group_by(.) | map({calls: .[0], tasks: length})')" \
    '{binary: $tag, path: $bin, server_delay_ms: $delay, "agent_exit_to_complete_applied_ms": $span, "requests_after_exit": $seqs}'
}

i=0
for b in "${BINARIES[@]}"; do
  i=$((i + 1))
  measure "$(realpath "$b")" "bin$i"
done
