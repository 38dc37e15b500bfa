#!/usr/bin/env bash
# Installs what is missing, builds multicad, and runs its main job on this
# machine. Until the daemon loop lands this is: check the machine
# (`multicad doctor`), then prepare one sample task environment exactly as the
# daemon would (`multicad env prepare`) and show the Codex config it wrote.
# Nothing here claims or runs a task.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-codex
cmake --preset default >/dev/null
cmake --build --preset default --target multicad

bin=build/default/daemon/multicad
# Use the user's codex when there is one; else the pinned one setup installed.
command -v codex >/dev/null || export MULTICA_CODEX_PATH="$PWD/.deps/codex/node_modules/.bin/codex"
demo="$PWD/build/demo"

echo; echo "== multicad doctor"
"$bin" doctor || true   # exit 1/2 only means some check warned or failed; read them above

echo; echo "== multicad env prepare (a sample task under $demo)"
"$bin" env prepare --workspaces-root "$demo/workspaces" \
  --workspace-id demo-workspace --task-id 00000000-demo-task --task-json config/sample-task.json

echo; echo "== the task's Codex config.toml (managed block first)"
cat "$demo/workspaces/demo-workspace/00000000/codex-home/config.toml"
