#!/usr/bin/env bash
# Installs multicad from this source tree: the build dependencies
# (scripts/setup.sh), an optimised build, the binary and its man page, and the
# systemd system service with its config. Idempotent: a second run rebuilds
# what changed, keeps the existing config, and leaves an unchanged service
# running (it is restarted only when the binary or the unit changed).
#
#   packaging/install.sh [--prefix DIR] [--no-service] [--dry-run]
#
#   --prefix DIR   install the binary to DIR/bin (default: $PREFIX, else /usr/local)
#   --no-service   install the binary and man page only
#   --dry-run      print every command instead of running it
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"  # cmake --preset reads CMakePresets.json from the working directory

prefix=${PREFIX:-/usr/local}
with_service=true
dry_run=false
config=/etc/multicad/config.toml

usage() { sed -n '2,12p' "$here/packaging/install.sh" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --no-service) with_service=false; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

# Root's steps go through sudo when we are not root; the build does not.
as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)

run() {
  echo "+ $*"
  if ! $dry_run; then "$@"; fi
}

built="$here/build/default/daemon/multicad"
bin="$prefix/bin/multicad"
man="$here/build/default/man/man1/multicad.1.gz"

run "$here/scripts/setup.sh"
run cmake --preset default
run cmake --build "$here/build/default" --target multicad multicad_package_files

# install(1) replaces the file (a new inode), so a running daemon keeps its
# old binary until it restarts.
binary_changed=true
if [ -e "$bin" ] && [ -e "$built" ] && cmp -s "$built" "$bin"; then binary_changed=false; fi
run "${as_root[@]}" install -d -m 755 "$prefix/bin"
run "${as_root[@]}" install -m 755 "$built" "$bin"
run "${as_root[@]}" install -D -m 644 "$man" "$prefix/share/man/man1/multicad.1.gz"

# The config is written by `multicad service install` below, the same way on
# every install path (the .deb, this script, the binary alone): 0640,
# root:multicad, since it may hold the server token.
if ! $with_service; then
  echo "install.sh: done; no service (--no-service), no config. Start it by hand: $bin run"
  echo "  (settings: ~/.config/multicad/config.toml, see $here/config/multicad.example.toml)"
  exit 0
fi
if [ ! -d /run/systemd/system ]; then
  echo "install.sh: systemd is not running on this machine; no service installed."
  echo "  Run '$bin run --config $config' under your init system; '$bin service install --system --dry-run'"
  echo "  shows the unit and the config it would write."
  exit 0
fi

if $dry_run; then
  run "${as_root[@]}" "$bin" service install --system
  $binary_changed && run "${as_root[@]}" systemctl try-restart multicad.service
  exit 0
fi
# Without --config the system service uses $config, creating it if missing.
echo "+ ${as_root[*]} $bin service install --system"
output=$("${as_root[@]}" "$bin" service install --system)
printf '%s\n' "$output"
# `service install` restarts only for a changed unit; a new binary under an
# unchanged unit needs its own restart (the daemon drains first).
if $binary_changed && grep -q ': unchanged' <<<"$output"; then
  run "${as_root[@]}" systemctl try-restart multicad.service
fi
