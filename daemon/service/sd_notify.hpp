// The systemd notification protocol without libsystemd: one datagram per
// message to $NOTIFY_SOCKET, and the watchdog interval from WATCHDOG_USEC.
// Outside systemd (no NOTIFY_SOCKET) every call is a cheap no-op.
// Thread rule: safe from any thread; nothing here blocks.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace multicad::service {

// When to send what (the unit is Type=notify, NotifyAccess=main, WatchdogSec=60s):
// - "READY=1" once the daemon does its job: store open, local endpoint bound,
//   and registered with the server, or registration failed and the daemon is
//   retrying on its own. systemd fails the start (and `systemctl start`
//   blocks) until then, for at most TimeoutStartSec=90s, so never wait on the
//   network for it; say "STATUS=registering: server unreachable, retrying".
// - "STATUS=<one line>" whenever what an operator should know changes
//   ("serving 3 of 20 tasks", "draining 2 tasks"); `systemctl status` shows it.
// - "STOPPING=1" when the first signal starts the drain, so systemd reports
//   "deactivating" rather than a hang; then STATUS= with what is left.
// - "WATCHDOG=1" every watchdog_interval() / 2 from a timer on the daemon's
//   io_context, so a stalled event loop (not just a dead process) is noticed
//   and restarted. Nothing else should send it: a thread that pings on its own
//   would hide exactly that stall.
// Several can go in one message, one per line: "READY=1\nSTATUS=serving".

// Sends `state` to $NOTIFY_SOCKET (a path, or "@name" for an abstract
// socket). Returns true when the datagram was sent; false when there is no
// socket (not under systemd, or NotifyAccess=none), the address is unusable,
// or the send failed. Never blocks: if systemd's queue is full the message
// is dropped (a lost WATCHDOG=1 is sent again half an interval later).
bool sd_notify(std::string_view state);

// The watchdog interval systemd expects pings within (WatchdogSec=), from
// WATCHDOG_USEC; nullopt when unset, zero, unparsable, or when WATCHDOG_PID
// is set and is not this process (the variables were inherited by a child).
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace multicad::service
