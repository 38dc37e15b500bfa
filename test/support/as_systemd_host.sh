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
    # Waits for the manager's socket by its creation event, not by polling.
    # The watch is established (inotifywait's second stderr line says so)
    # before the manager starts, so the event cannot be missed; timeout
    # bounds the wait to 10 s (then the events end and the check fails).
    mkdir -p "$XDG_RUNTIME_DIR/systemd"
    events="$XDG_RUNTIME_DIR/socket-events"
    mkfifo "$events" "$events.ready"
    timeout 10 inotifywait -m -e create --format %f "$XDG_RUNTIME_DIR/systemd" >"$events" 2>"$events.ready" &
    watcher=$!
    exec 4<"$events" 3<"$events.ready"  # in the order the watcher opens them
    read -r _ <&3 && read -r _ <&3       # "Setting up watches." "Watches established."
    /lib/systemd/systemd --user --log-target=console >"$log" 2>&1 &
    manager=$!
    trap 'kill "$manager" "$watcher" 2>/dev/null || true; wait "$manager" 2>/dev/null || true' EXIT
    created=""
    while [ "$created" != private ] && read -r created <&4; do :; done
    kill "$watcher" 2>/dev/null || true
    if [ ! -S "$XDG_RUNTIME_DIR/systemd/private" ]; then
      echo "as_systemd_host.sh: systemd --user did not start within 10 s:" >&2
      cat "$log" >&2
      exit 125
    fi
    ;;
  *) echo "usage: as_systemd_host.sh no-systemd|no-user-manager|user-manager COMMAND..." >&2; exit 2 ;;
esac
status=0
"$@" || status=$?
exit "$status"
