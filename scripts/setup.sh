#!/usr/bin/env bash
# Installs what multicad needs on Debian 12, skipping what is already there,
# so a second run takes seconds.
#   scripts/setup.sh               build dependencies (Debian packages)
#   scripts/setup.sh --with-codex  also the pinned real Codex CLI (npm) in .deps/codex
#   scripts/setup.sh --for-tests   all of the above, plus older Codex releases for
#                                  the compatibility suite (.deps/codex-X.Y.Z), plus the tools the tests run
#                                  (systemd-analyze and a user manager the tests
#                                  start in a private namespace, xmllint, dpkg-shlibdeps,
#                                  the shellcheck linter, clang with libFuzzer,
#                                  lintian for the .deb, promtool for /metrics)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

CODEX_NPM_VERSION=0.171.0  # the version spec/codex-app-server.md was verified against; the newest tested
# (proto/codex/releases.hpp says the same; a unit test checks)
# Older releases the compatibility suite runs on, each where the app-server
# protocol changed (docs/codex-compatibility.md): 0.100.0 the minimum (no
# serviceTier, initialize answers userAgent only), 0.120.0 (serviceTier as
# fast|flex, the grown initialize result), 0.140.0 (free-form reasoning effort
# and service tier). Keep equal to MULTICAD_COMPAT_RELEASES in test/CMakeLists.txt.
CODEX_COMPAT_VERSIONS="0.100.0 0.120.0 0.140.0"
with_codex=false
for_tests=false
case "${1:-}" in
  --with-codex) with_codex=true ;;
  --for-tests) with_codex=true; for_tests=true ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--with-codex|--for-tests]" >&2; exit 2 ;;
esac

packages=(
  g++ cmake ninja-build ccache pkg-config ca-certificates
  libboost1.81-dev libboost-url1.81-dev libssl-dev nlohmann-json3-dev libtoml11-dev
  libspdlog-dev libcli11-dev catch2 libsqlite3-dev bubblewrap git
)
if $for_tests; then
  packages+=(systemd libxml2-utils dpkg-dev shellcheck clang-14 libclang-rt-14-dev lintian inotify-tools)
fi
# Node and npm run the Codex CLI; any working pair will do (Debian's or another).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

# promtool checks /metrics (test/integration/operations_test.cpp). Debian ships
# it in the package prometheus, whose installation also enables and starts a
# Prometheus server on a systemd host; so the package is unpacked into
# .deps/prometheus instead (promtool is one static binary), not installed.
if $for_tests && ! command -v promtool >/dev/null; then
  prom_dir="$here/.deps/prometheus"
  if [ -x "$prom_dir/usr/bin/promtool" ]; then
    echo "setup: promtool present in .deps/prometheus"
  else
    echo "setup: unpacking promtool from the Debian package prometheus into .deps/prometheus"
    download=$(mktemp -d)
    (cd "$download" && apt-get download -qq prometheus)
    mkdir -p "$prom_dir"
    dpkg-deb -x "$download"/prometheus_*.deb "$prom_dir"
    rm -rf "$download"
  fi
fi

# install_codex VERSION DIR: @openai/codex@VERSION into DIR, unless it is there.
install_codex() {
  local version=$1 codex_dir=$2
  if "$codex_dir/node_modules/.bin/codex" --version 2>/dev/null | grep -qx "codex-cli $version"; then
    echo "setup: codex $version present in ${codex_dir#"$here/"}"
    return
  fi
  echo "setup: installing @openai/codex@$version into ${codex_dir#"$here/"}"
  mkdir -p "$codex_dir"
  [ -f "$codex_dir/package.json" ] || echo '{"private": true}' >"$codex_dir/package.json"
  npm install --prefix "$codex_dir" --no-audit --no-fund --loglevel=error "@openai/codex@$version"
}

if $with_codex; then
  install_codex "$CODEX_NPM_VERSION" "$here/.deps/codex"
fi
if $for_tests; then
  for version in $CODEX_COMPAT_VERSIONS; do install_codex "$version" "$here/.deps/codex-$version"; done
fi
