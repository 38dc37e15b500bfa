#!/usr/bin/env bash
# Installs what is missing, builds multicad, and runs its main job on this
# machine: the daemon in embedded local mode (no Multica server needed), one
# sample task submitted to it, its events and result printed, then a clean
# shutdown. Everything lives under build/demo/; nothing else on the machine
# is touched except Codex's own ~/.codex/sessions folder.
#
# Without Codex credentials (`codex login`) the task fails, and says exactly
# that; that is the expected outcome on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-codex
cmake --preset default >/dev/null
cmake --build --preset default --target multicad

bin="$PWD/build/default/daemon/multicad"
demo="$PWD/build/demo"
mkdir -p "$demo"
# The user's codex if there is one, else the pinned one setup installed.
command -v codex >/dev/null || export MULTICA_CODEX_PATH="$PWD/.deps/codex/node_modules/.bin/codex"
export MULTICA_STATE_DIR="$demo/state" MULTICA_WORKSPACES_ROOT="$demo/workspaces"
export MULTICA_DAEMON_HEALTH_PORT="${MULTICAD_DEMO_PORT:-19599}" MULTICA_SERVER_URL=""
export MULTICA_LOG_FILE="$demo/daemon.log"

echo "== multicad doctor"
"$bin" doctor || true   # 1 = some check warned, 2 = some failed: read them above

echo; echo "== multicad run (local mode, log: $demo/daemon.log)"
: >"$demo/daemon.log"
"$bin" run &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q "local mode: serving" "$demo/daemon.log" && break
  kill -0 $daemon 2>/dev/null || { cat "$demo/daemon.log"; echo "main: the daemon did not start" >&2; exit 1; }
  sleep 0.2
done

echo; echo "== multicad submit --wait"
status=0
"$bin" submit "Create hello.txt containing 'hello from multicad', then say what you did." --wait || status=$?

echo; echo "== multicad tasks list"
"$bin" tasks list

kill -TERM $daemon; wait $daemon || true
trap - EXIT
echo; echo "== daemon log"
cat "$demo/daemon.log"
case $status in
  0) echo; echo "main: the task completed" ;;
  1) echo; echo "main: the task failed; its reason is printed above (without \`codex login\` that is expected)" ;;
  *) echo; echo "main: submit exited $status" >&2; exit "$status" ;;
esac
