# shellcheck shell=bash disable=SC2034  # sourced: the variables set here are used by the benchmarks
# Shared helpers of the benchmarks in bench/ (sourced, not run).
#
# What every benchmark gets from here:
#   - paths ($ROOT, $BENCH, $MULTICAD, $REAL_CODEX, $FAKE_CODEX, $DEPS) and a
#     private scratch folder $WORK (under ~/.cache/multicad-bench, or
#     $BENCH_TMP) that is removed at exit (BENCH_KEEP=1 keeps it);
#   - bench_setup: installs what is missing (Debian packages, the pinned Codex,
#     the multicad binary, the C++ helpers), skipping what is present, the way
#     scripts/setup.sh does;
#   - bg_start / cleanup: every process we start runs in its own process group
#     and carries BENCH_RUN_ID in its environment; the EXIT trap stops each
#     group (TERM, then KILL) and then any straggler carrying our marker
#     (agents run in process groups of their own, so a group kill of the
#     daemon alone would not reach them if the daemon died first);
#   - wait_quiet: the machine is shared with people who compile; wait (bounded)
#     for the 1-minute load to drop before measuring, and record it;
#   - machine_json / load_json: what the figures were measured on.
# Every helper that can block has a time limit.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
DEPS="$BENCH/.deps"
MULTICAD_BUILD="$ROOT/build/default/daemon/multicad"
MULTICAD="$MULTICAD_BUILD"  # bench_setup points it at a private copy (see there)
REAL_CODEX=${BENCH_REAL_CODEX:-"$ROOT/.deps/codex/node_modules/.bin/codex"}
FAKE_CODEX="$ROOT/test/fakes/fake_codex.js"
FAKES="$ROOT/test/fakes"
TOKEN="mul_0123456789abcdef0123456789abcdef01234567"  # a PAT the fake server is told about

BENCH_RUN_ID="bench-$$-$RANDOM"
export BENCH_RUN_ID
BENCH_LOAD_MAX=${BENCH_LOAD_MAX:-1.0}      # 1-min load we wait for before measuring
BENCH_LOAD_WAIT_S=${BENCH_LOAD_WAIT_S:-240} # ... for at most this long, then measure anyway (and say so)

# Scratch space like a real deployment's ~/multica_workspaces: not under
# /tmp (Codex refuses to create its PATH helper links under a temporary
# folder) and not inside a git repository such as this one (Codex inspects
# the repository a workdir is in: git processes, remotes).
SCRATCH_ROOT=${BENCH_TMP:-${XDG_CACHE_HOME:-$HOME/.cache}/multicad-bench}
mkdir -p "$SCRATCH_ROOT"
WORK=$(mktemp -d "$SCRATCH_ROOT/run.XXXXXX")
if git -C "$WORK" rev-parse --git-dir >/dev/null 2>&1; then
  echo "bench: warning: scratch $WORK is inside a git repository; set BENCH_TMP elsewhere" >&2
fi
EXTRA_DIRS=()  # more scratch folders to remove at exit (e.g. on /dev/shm)
BG_PGIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now_ms() { date +%s%3N; }

# ---- processes ---------------------------------------------------------------

# bg_start NAME CMD...: runs CMD in a new session (so its own process group),
# stdout to $WORK/NAME.out, stderr to $WORK/NAME.err; sets BG_PID.
bg_start() {
  local name=$1; shift
  setsid "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  BG_PID=$!
  BG_PGIDS+=("$BG_PID")
}

# stop_group PGID [GRACE_S]: TERM the group, KILL it after GRACE_S (default 5).
stop_group() {
  local pg=$1 grace=${2:-5} i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 -- "-$pg" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

# Pids of live processes that carry our BENCH_RUN_ID (all started by us).
our_stragglers() {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
    { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qx "BENCH_RUN_ID=$BENCH_RUN_ID" && echo "$pid"
  done
  return 0
}

cleanup() {
  local rc=$? pg pid
  trap - EXIT INT TERM
  [ -s "$WORK/watchdog.err" ] && cat "$WORK/watchdog.err" >&2
  if [ "$rc" -ne 0 ]; then  # say what the background processes said before their files go
    local f
    for f in "$WORK"/*.err; do
      [ -s "$f" ] && { echo "--- $(basename "$f") (last lines)"; tail -5 "$f"; } >&2
    done
  fi
  for pg in "${BG_PGIDS[@]}"; do stop_group "$pg" 8; done
  for pid in $(our_stragglers); do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "scratch kept: $WORK ${EXTRA_DIRS[*]}"; else rm -rf "$WORK" "${EXTRA_DIRS[@]}"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Reads the {"port": N} line a fake prints on stdout; waits at most 20 s.
wait_port_line() {
  local file=$1 i
  for ((i = 0; i < 200; i++)); do
    if [ -s "$file" ]; then jq -r .port <"$file" | head -1; return 0; fi
    sleep 0.1
  done
  die "no port line in $file: $(cat "${file%.out}.err" 2>/dev/null)"
}

# watchdog SECONDS [WAITS]: TERMs this script after SECONDS plus WAITS times
# the longest wait for a quiet machine (its own process group, stopped at
# exit like everything else), so no benchmark runs unbounded.
watchdog() {
  local limit=$(($1 + ${2:-0} * (BENCH_LOAD_WAIT_S + 10)))
  bg_start watchdog bash -c "sleep $limit; echo 'time limit of $limit s reached' >&2; kill -TERM $$"
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# ---- the fakes ---------------------------------------------------------------

# start_fake_server: sets SERVER_PORT, SERVER_URL, SERVER_PGID.
# Each server its own output file: a second one writing to the first's file
# would truncate it while the port line is read (an empty port, now and then).
FAKE_SERVERS=0
start_fake_server() {
  local name="fake_server.$((++FAKE_SERVERS))"
  bg_start "$name" node "$FAKES/fake_server.js"
  SERVER_PGID=$BG_PID
  SERVER_PORT=$(wait_port_line "$WORK/$name.out")
  SERVER_URL="http://127.0.0.1:$SERVER_PORT"
}

# start_mock_model: sets MODEL_PORT, MODEL_PGID.
start_mock_model() {
  bg_start mock_model node "$FAKES/mock_model.js"
  MODEL_PGID=$BG_PID
  MODEL_PORT=$(wait_port_line "$WORK/mock_model.out")
}

# fake METHOD PATH [JSON]: the fake server's control API.
fake() {
  curl -sS --max-time 60 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SERVER_URL$2"
}

mock() {
  curl -sS --max-time 20 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "http://127.0.0.1:$MODEL_PORT$2"
}

# A workspace the token can see; sets WORKSPACE.
make_workspace() {
  WORKSPACE=$(fake POST /_fake/workspaces '{"name":"bench"}' | jq -r .id)
  fake POST /_fake/tokens "{\"token\":\"$TOKEN\",\"workspace_ids\":[\"$WORKSPACE\"]}" >/dev/null
}

# The Codex config that points the real Codex at the mock model (spec §7.1).
# DIR/home and DIR/codex-shared (the shared CODEX_HOME a task's codex-home is
# seeded from), configured for the mock model.
mock_home() {
  mkdir -p "$1/home" "$1/codex-shared"
  mock_codex_config >"$1/codex-shared/config.toml"
}

mock_codex_config() {
  cat <<EOF
model = "mock-model"
model_provider = "mock"

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$MODEL_PORT/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
supports_websockets = false
EOF
}

# ---- one task with the real Codex and the mock model ---------------------------

mock_request_times() { mock GET /_mock/requests | jq -c '[.[].at_ms]'; }

# run_daemon_task I WARMUP OUT: one task through the running daemon (server
# mode); appends its record to OUT: the fake server's timeline of the task
# (lib/fake_tasks.mjs), the mock model's request times and the exec stamp
# ($STAMPS, written by bench/exec_stamp in front of Codex).
run_daemon_task() {
  local i=$1 warm=$2 out=$3 rec load task exec_us
  load=$(load1)
  mock POST /_mock/reset >/dev/null
  # Enqueue at a random moment of the daemon's poll cycle (default 3 s), so
  # enqueue -> claim samples the wait a real task sees, not one phase of it.
  sleep "$(awk -v r="$RANDOM" -v ms="${BENCH_ENQUEUE_JITTER_MS:-3000}" 'BEGIN { printf "%.3f", r / 32768 * ms / 1000 }')"
  rec=$(node "$BENCH/lib/fake_tasks.mjs" run "$SERVER_URL" "$WORKSPACE" '' "${RUN_TIMEOUT_S:-120}")
  task=$(jq -r .task <<<"$rec")
  exec_us=$(jq -r --arg t "$task" 'select(.task == $t and .argv1 != "--version") | .at_us' "$STAMPS" | head -1)
  jq -c --argjson i "$i" --argjson warm "$warm" --argjson load "$load" --argjson model "$(mock_request_times)" \
    --argjson exec_us "${exec_us:-null}" \
    '. + {kind: "daemon", i: $i, warmup: $warm, load: $load, model_at_ms: $model, exec_us: $exec_us}' <<<"$rec" >>"$out"
  [ "$(jq -r .status <<<"$rec")" = completed ] || log "daemon run $i: $(jq -c '{status, error}' <<<"$rec")"
}

# prepare_task_dir HOME_DIR: a task directory prepared exactly as the daemon
# prepares one (`multicad env prepare`), seeded from HOME_DIR/codex-shared;
# sets TASK_ID, TASK_WORKDIR, TASK_CODEX_HOME and TASK_PROMPT, the prompt the
# daemon builds for an issue task (from the binary, so the baseline cannot
# drift from daemon/agent/prompt.cpp).
prepare_task_dir() {
  local dir=$1 prep
  TASK_ID=$(cat /proc/sys/kernel/random/uuid)
  prep=$(HOME="$dir/home" CODEX_HOME="$dir/codex-shared" MULTICA_CODEX_PATH="$REAL_CODEX" \
    "$MULTICAD" env prepare --workspaces-root "$dir/ws" --workspace-id bench --task-id "$TASK_ID" \
    --issue-id "$TASK_ID" --json 2>/dev/null) || die "multicad env prepare failed: $prep"
  TASK_WORKDIR=$(jq -r .workdir <<<"$prep")
  TASK_CODEX_HOME=$(jq -r .codex_home <<<"$prep")
  TASK_PROMPT=$(jq -r .prompt <<<"$prep")
  if [ ! -d "$TASK_WORKDIR" ] || [ -z "$TASK_PROMPT" ]; then
    die "multicad env prepare gave no task directory or prompt: $prep"
  fi
}

# ---- the daemon --------------------------------------------------------------

# start_daemon DIR CODEX [VAR=VALUE...]: `multicad run` with a private home,
# state, workspaces root and health port (like test/support/daemon_process.cpp),
# every MULTICA_*/FAKE_CODEX_* of our own environment removed, the given
# variables added. Server mode when MULTICA_SERVER_URL is among them.
# Sets DAEMON_PID (= its process group), HEALTH_PORT, DAEMON_LOG.
# DAEMON_PREFIX (an array, default empty) goes before the binary (e.g. strace).
DAEMON_PREFIX=()
start_daemon() {
  local dir=$1 codex=$2; shift 2
  mkdir -p "$dir/home" "$dir/codex-shared"
  HEALTH_PORT=$(free_port)
  DAEMON_LOG="$dir/daemon.log"
  local unset=() k
  for k in $(compgen -e); do
    case $k in MULTICA_* | FAKE_CODEX_*) unset+=(-u "$k") ;; esac
  done
  bg_start "daemon-$(basename "$dir")" env "${unset[@]}" \
    HOME="$dir/home" CODEX_HOME="$dir/codex-shared" XDG_CONFIG_HOME="$dir/xdg" \
    MULTICA_WORKSPACES_ROOT="$dir/ws" MULTICA_STATE_DIR="$dir/state" \
    MULTICA_DAEMON_HEALTH_PORT="$HEALTH_PORT" MULTICA_CODEX_PATH="$codex" \
    MULTICA_LOG_FILE="$DAEMON_LOG" MULTICA_SHUTDOWN_GRACE=5s \
    "$@" "${DAEMON_PREFIX[@]}" "$MULTICAD" run
  DAEMON_PID=$BG_PID
  wait_daemon_ready
}

# start_compared_daemon CODEX STAMP: what the two comparison benchmarks run
# the daemon against: the fake Multica server, the mock model, one workspace,
# and `multicad run` in server mode under $WORK/daemon (DDIR) whose Codex
# (CODEX, behind the exec_stamp wrapper STAMP) stamps its exec into $STAMPS.
start_compared_daemon() {
  local codex=$1 stamp=$2
  start_fake_server
  start_mock_model
  make_workspace
  DDIR="$WORK/daemon"
  mock_home "$DDIR"
  start_daemon "$DDIR" "$stamp" MULTICA_SERVER_URL="$SERVER_URL" MULTICA_TOKEN="$TOKEN" \
    EXEC_STAMP_TARGET="$codex" EXEC_STAMP_LOG="$STAMPS"
}

# run_interleaved NAME OTHER: one warm-up of each side (not counted), then N
# runs of each in the order daemon, OTHER, OTHER, daemon, ... so the machine's
# drift hits both sides alike. OTHER is called as `OTHER I WARMUP`.
run_interleaved() {
  local name=$1 other=$2 i
  run_daemon_task 0 true "$RUNS"
  "$other" 0 true
  for ((i = 1; i <= N; i++)); do
    if ((i % 2)); then run_daemon_task "$i" false "$RUNS"; "$other" "$i" false
    else "$other" "$i" false; run_daemon_task "$i" false "$RUNS"; fi
    log "$name: run $i/$N done (load $(load1))"
  done
}

# multicad CLI against the daemon started above (local mode: same state dir).
daemon_env_of() {
  tr '\0' '\n' <"/proc/$DAEMON_PID/environ" | grep -E '^(HOME|CODEX_HOME|XDG_CONFIG_HOME|MULTICA_[A-Z_]+)='
}

wait_daemon_ready() {
  local i
  for ((i = 0; i < 600; i++)); do
    if curl -sf --max-time 2 "http://127.0.0.1:$HEALTH_PORT/health" 2>/dev/null | jq -e '.status == "running"' >/dev/null; then
      return 0
    fi
    kill -0 "$DAEMON_PID" 2>/dev/null || die "the daemon exited: $(tail -20 "$DAEMON_LOG" 2>/dev/null)"
    sleep 0.1
  done
  die "the daemon was not ready within 60 s: $(tail -20 "$DAEMON_LOG" 2>/dev/null)"
}

stop_daemon() { stop_group "$DAEMON_PID" 15; }

# /proc figures of one process. proc_status PID FIELD -> value in kB or count.
proc_status() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# utime+stime of PID in clock ticks (fields 14 and 15 of /proc/PID/stat).
proc_cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# ... of PID and its waited-for children (cutime, cstime) as well.
CLK_TCK=$(getconf CLK_TCK)

# ---- machine and load --------------------------------------------------------

load1() { cut -d' ' -f1 /proc/loadavg; }

# wait_quiet LABEL: waits (at most BENCH_LOAD_WAIT_S) for the 1-min load to
# drop below BENCH_LOAD_MAX; prints and returns the load it measured at.
wait_quiet() {
  local label=$1 waited=0 l
  while :; do
    l=$(load1)
    if awk -v l="$l" -v m="$BENCH_LOAD_MAX" 'BEGIN { exit !(l < m) }'; then break; fi
    if ((waited >= BENCH_LOAD_WAIT_S)); then
      log "load $l still >= $BENCH_LOAD_MAX after ${waited}s; measuring '$label' anyway (the figure says so)"
      break
    fi
    ((waited % 30 == 0)) && log "load $l >= $BENCH_LOAD_MAX; waiting before '$label' (${waited}s so far)"
    sleep 5
    waited=$((waited + 5))
  done
  LOAD_AT_START=$l
  log "measuring '$label' at load $l"
}

machine_json() {
  local model mem_kb
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem_kb=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)
  jq -cn --arg model "$model" --argjson nproc "$(nproc)" --argjson mem_mb "$((mem_kb / 1024))" \
    --arg kernel "$(uname -r)" --arg node "$(node --version)" \
    --arg multicad "$("$MULTICAD" --version 2>/dev/null) (build/default, built ${MULTICAD_BUILT:-?})" --arg codex "$("$REAL_CODEX" --version 2>/dev/null || echo none)" \
    '{cpu: $model, nproc: $nproc, ram_mb: $mem_mb, kernel: $kernel, node: $node, multicad: $multicad, codex: $codex}'
}

print_machine() {
  local m; m=$(machine_json)
  printf 'machine: %s, %s cores, %s MB RAM, kernel %s, node %s, multicad %s, %s\n' \
    "$(jq -r .cpu <<<"$m")" "$(jq -r .nproc <<<"$m")" "$(jq -r .ram_mb <<<"$m")" "$(jq -r .kernel <<<"$m")" \
    "$(jq -r .node <<<"$m")" "$(jq -r .multicad <<<"$m")" "$(jq -r .codex <<<"$m")"
}

# ---- installing what is missing ----------------------------------------------

need_debs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "bench: installing ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

need_multicad() {
  if [ ! -x "$MULTICAD_BUILD" ]; then
    log "bench: building multicad (build/default)"
    "$ROOT/scripts/setup.sh" >/dev/null
    (cd "$ROOT" && cmake --preset default >/dev/null && cmake --build --preset default --target multicad)
  fi
}

need_real_codex() { "$ROOT/scripts/setup.sh" --with-codex >/dev/null; }

# need_helper NAME [--static]: compiles bench/NAME.cpp to $DEPS/bin/NAME with
# g++ -O2 when the binary is missing or older than its source (kept out of
# the main build). --static links statically when it can (faster exec).
need_helper() {
  local name=$1 src="$BENCH/$1.cpp" bin="$DEPS/bin/$1"
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    mkdir -p "$DEPS/bin"
    log "bench: compiling $name"
    if [ "${2:-}" = --static ] && g++ -std=c++20 -O2 -Wall -Wextra -static -o "$bin" "$src" 2>/dev/null; then :
    else g++ -std=c++20 -O2 -Wall -Wextra -o "$bin" "$src"; fi
  fi
  echo "$bin"
}

bench_setup() {
  need_debs time curl jq procps strace
  command -v node >/dev/null || need_debs nodejs npm
  need_multicad
  # A private copy: people rebuild build/default on this machine, and a
  # relink in the middle of a run must not change what is measured.
  mkdir -p "$WORK/bin"
  cp "$MULTICAD_BUILD" "$WORK/bin/multicad"
  MULTICAD="$WORK/bin/multicad"
  MULTICAD_BUILT=$(date -u -r "$MULTICAD_BUILD" +%FT%TZ)
}

# ---- output ------------------------------------------------------------------

# stats.mjs reads numbers (one per line) and prints {n, min, p50, p90, p99, max, mean}.
stats() { node "$BENCH/lib/stats.mjs"; }
