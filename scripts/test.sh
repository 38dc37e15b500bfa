#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test (ctest).
# Extra arguments go to ctest, e.g. scripts/test.sh -R managed_block
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-tests
cmake --preset default >/dev/null
cmake --build --preset default
ctest --preset default -j "$(nproc)" "$@"
