// The disk figures a running daemon reports (`multicad status`, /health,
// /metrics): bytes under the workspaces root as the last GC pass measured
// them, the root's file system as the last probe (every minute) saw it, and
// what GC has reclaimed since start. Plain data; the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace multicad::core {

struct disk_figures {
  std::optional<std::uint64_t> used_bytes;  // under the root; empty until the first pass
  std::optional<std::chrono::system_clock::time_point> measured_at;
  std::optional<std::uint64_t> free_bytes;   // available on the root's file system
  std::optional<std::uint64_t> total_bytes;  // that file system's size
  std::uint64_t reclaimed_bytes_total = 0;   // freed by GC since start (whole folders, artifacts, caches)
  bool over_quota = false;  // the last pass ended over a limit with nothing left to reclaim
};

}  // namespace multicad::core
