// The GC loop: 30 s after start (or one gc.interval, if shorter), then every
// gc.interval, one pass: survey the workspaces root on the worker pool
// (sizes, artifacts, metadata: execenv/disk_survey.hpp), ask the assigner
// about each issue (server: gc-check; local mode: nobody, the metadata's end
// time decides), remove what decide() says, then artifacts past
// gc.artifact_ttl and whatever the quota needs (disk_reclaim.hpp). Between
// passes free space is read every minute; falling below gc.min_free starts
// a pass early. With gc.enabled false only free space is read.
// Thread rule: the daemon's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "daemon/core/gc.hpp"
#include "daemon/core/services.hpp"

namespace multicad::core {

// Asks about one issue id; nullopt means "no one to ask" (local mode).
using issue_lookup = std::function<boost::asio::awaitable<std::optional<issue_answer>>(const std::string& issue_id)>;
// Waits, and returns false on shutdown.
using gc_sleep = std::function<boost::asio::awaitable<bool>(std::chrono::nanoseconds)>;

// One pass; returns how many task directories were removed.
boost::asio::awaitable<int> gc_pass(services& svc, const issue_lookup& lookup);

// Reads the root's file system's free space into svc.stats.disk (on the pool).
boost::asio::awaitable<void> probe_disk(services& svc);

// Passes until `sleep` returns false.
boost::asio::awaitable<void> gc_loop(services& svc, issue_lookup lookup, gc_sleep sleep);

}  // namespace multicad::core
