// The GC loop: 30 s after start (or one gc.interval, if shorter), then every
// gc.interval, scan the
// workspaces root on the worker pool, ask the assigner about each issue
// (server: gc-check; local mode: nobody, the metadata's end time decides),
// and remove what decide() says. Logs each removal at INFO.
// Thread rule: the daemon's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>

#include "daemon/core/gc.hpp"
#include "daemon/core/services.hpp"

namespace multicad::core {

// Asks about one issue id; nullopt means "no one to ask" (local mode).
using issue_lookup = std::function<boost::asio::awaitable<std::optional<issue_answer>>(const std::string& issue_id)>;

// One pass; returns how many directories were removed.
boost::asio::awaitable<int> gc_pass(services& svc, const issue_lookup& lookup);

// Passes until `keep_going()` is false; `sleep` waits and returns false on shutdown.
boost::asio::awaitable<void> gc_loop(services& svc, issue_lookup lookup,
                                     std::function<boost::asio::awaitable<bool>(std::chrono::nanoseconds)> sleep);

}  // namespace multicad::core
