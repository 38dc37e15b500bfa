#!/bin/sh
# as_systemd_host.sh MODE COMMAND...: runs COMMAND on this machine as seen
# from one of three kinds of host, whatever this one is (a CI container has
# no systemd; a desktop has it with a user manager):
#   no-systemd       not booted with systemd: no /run/systemd/system
#   no-user-manager  booted with systemd, but no user manager for the session
#   user-manager     booted with systemd, and a private user manager running
# It works in a private mount namespace, with a tmpfs on /run/systemd that
# holds (or not) the folder system/, by which systemd tools tell a systemd
# host; the machine's own /run is left as it was. Needs root (unshare, mount)
# and XDG_RUNTIME_DIR naming an empty private folder: the manager's socket
# appears there as systemd/private, which `systemctl --user` connects to.
# Exits 125 when the manager cannot start, else with COMMAND's status.
set -eu
if [ "${1:-}" != --inside ]; then
  exec unshare --mount --propagation private "$0" --inside "$@"
fi
mode=$2
shift 2
[ -d /run/systemd ] || mkdir -p /run/systemd
mount -t tmpfs tmpfs /run/systemd
case $mode in
  no-systemd) ;;
  no-user-manager) mkdir /run/systemd/system ;;
  user-manager)
    mkdir /run/systemd/system
    log="$XDG_RUNTIME_DIR/user-manager.log"
    /lib/systemd/systemd --user --log-target=console >"$log" 2>&1 &
    manager=$!
    trap 'kill "$manager" 2>/dev/null || true; wait "$manager" 2>/dev/null || true' EXIT
    # Waits for the socket to appear (checked every 50 ms, at most 10 s).
    tries=0
    while [ ! -S "$XDG_RUNTIME_DIR/systemd/private" ]; do
      tries=$((tries + 1))
      if [ "$tries" -gt 200 ] || ! kill -0 "$manager" 2>/dev/null; then
        echo "as_systemd_host.sh: systemd --user did not start:" >&2
        cat "$log" >&2
        exit 125
      fi
      sleep 0.05
    done
    ;;
  *) echo "usage: as_systemd_host.sh no-systemd|no-user-manager|user-manager COMMAND..." >&2; exit 2 ;;
esac
status=0
"$@" || status=$?
exit "$status"
