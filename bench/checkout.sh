#!/usr/bin/env bash
# Benchmark 8: `multica repo checkout` from a warm cache, next to a plain
# `git clone` of the same repository. The repository is generated (files of
# source-like text over a few dozen commits) and served as a file:// URL, so
# neither side pays a network. Each round:
#   clone     git clone file://… into a fresh folder (what an agent would
#             do without the toolbox: the whole repository, every time)
#   checkout  POST /repo/checkout on a running daemon with the task's
#             capability: fetch into the cache (nothing new), a local clone
#             of the cache in the task directory, checkout, move into the
#             workdir
# The first checkout (cold: the cache's own clone) is reported apart.
#
#   bench/checkout.sh                          # 20 rounds, 3000 files
#   BENCH_CHECKOUT_N=5 BENCH_CHECKOUT_FILES=500 bench/checkout.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${BENCH_CHECKOUT_N:-20}
FILES=${BENCH_CHECKOUT_FILES:-3000}
bench_setup
watchdog $((300 + 20 * N)) 2

# The repository: FILES files of ~4 KiB in 30 folders, over 20 commits.
origin="$WORK/origin.git" seed="$WORK/seed"
git init -q --bare -b main "$origin"
git init -q -b main "$seed"
for c in $(seq 20); do
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs"), [dir, files, c] = [process.argv[1], +process.argv[2], +process.argv[3]];
    for (let i = c - 1; i < files; i += 20) {
      const d = `${dir}/src/m${i % 30}`; fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(`${d}/f${i}.c`, `/* file ${i} commit ${c} */\n` + `int f${i}(int x) { return x * ${i} + ${c}; }\n`.repeat(90));
    }' "$seed" "$FILES" "$c"
  git -C "$seed" add -A
  git -C "$seed" -c user.email=b@example -c user.name=B commit -q -m "commit $c"
done
git -C "$seed" push -q "$origin" HEAD:main
URL="file://$origin"
log "repository: $FILES files, $(du -sh "$origin" | cut -f1) packed"

# A daemon with one task that waits (the fake codex's hang scenario) and its capability.
start_fake_server
make_workspace
fake POST "/_fake/workspaces/$WORKSPACE/repos" "{\"repos\":[{\"url\":\"$URL\"}]}" >/dev/null
CODEX_LOG="$WORK/codex.log"
start_daemon "$WORK/daemon" "$FAKE_CODEX" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
  FAKE_CODEX_SCENARIO=hang FAKE_CODEX_LOG="$CODEX_LOG"
TASK=$(fake POST /_fake/tasks "{\"workspace_id\":\"$WORKSPACE\"}" | jq -r .task_id)
for _ in $(seq 600); do grep -q '"thread/start"' "$CODEX_LOG" 2>/dev/null && break; sleep 0.1; done
start_line=$(grep '"thread/start"' "$CODEX_LOG" | head -1)
CAP=$(jq -r '.params.config["shell_environment_policy.set.MULTICA_TOKEN"]' <<<"$start_line")
WORKDIR=$(jq -r '.params.cwd' <<<"$start_line")
[[ $CAP == mct_* ]] || die "no task capability in $CODEX_LOG"
body=$(jq -nc --arg u "$URL" --arg w "$WORKSPACE" --arg d "$WORKDIR" --arg t "$TASK" \
  '{url:$u, workspace_id:$w, workdir:$d, agent_name:"Bench", task_id:$t}')
wait_quiet checkout

# ms_of CMD...: the command's wall time in ms.
ms_of() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}
checkout() {
  curl -sS --fail --max-time 300 -H "Authorization: Bearer $CAP" -H 'Content-Type: application/json' \
    --data "$body" "http://127.0.0.1:$HEALTH_PORT/repo/checkout"
}

cold=$(ms_of checkout)
clones=() checkouts=()
for _ in $(seq "$N"); do
  rm -rf "$WORKDIR/origin" "$WORK/clone"
  checkouts+=("$(ms_of checkout)")
  clones+=("$(ms_of git clone -q "$URL" "$WORK/clone")")
done
[ -f "$WORKDIR/origin/.git/HEAD" ] || die "the checkout is not there"
checkout_stats=$(printf '%s\n' "${checkouts[@]}" | stats)
clone_stats=$(printf '%s\n' "${clones[@]}" | stats)

print_machine
printf '\nrepository: %s files; first checkout (cache cloned too): %s ms\n' "$FILES" "$cold"
printf '%-26s %8s %8s %8s   (ms, N=%s, interleaved)\n' run p50 p90 max "$N"
for k in checkout clone; do
  s=${k}_stats
  jq -r --arg k "$k" '[$k, .p50, .p90, .max] | @tsv' <<<"${!s}" |
    awk -F'\t' '{ printf "%-26s %8.1f %8.1f %8.1f\n", ($1 == "checkout" ? "repo checkout (warm cache)" : "git clone file://"), $2, $3, $4 }'
done
echo "{\"bench\":\"checkout\",\"n\":$N,\"files\":$FILES,\"cold_ms\":$cold,\"checkout\":$checkout_stats,\"clone\":$clone_stats,\"load\":$LOAD_AT_START,\"machine\":$(machine_json)}"
