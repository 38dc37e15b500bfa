// Talks to the service manager (systemd's sd_notify protocol) for the
// daemon: READY=1 once it does its job (or is retrying registration on its
// own: the start must never wait on the network), STATUS= lines when what
// it does changes, WATCHDOG=1 at half the watchdog interval from the event
// loop (so a stalled loop is restarted), STOPPING=1 when the drain starts.
// Outside systemd every call is a no-op and no timer runs.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "daemon/core/services.hpp"

namespace multicad::core {

// READY=1 (once) with a status line.
void announce_ready(services& svc, const std::string& status);
// STATUS=... (deduplicated).
void announce_status(services& svc, const std::string& status);
void announce_stopping(services& svc, const std::string& status);

// Watchdog pings and running-task status every few seconds until shutdown.
boost::asio::awaitable<void> supervise(services& svc);

}  // namespace multicad::core
