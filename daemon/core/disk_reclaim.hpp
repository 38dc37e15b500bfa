// The disk half of a GC pass, after the TTL rule (gc_loop.hpp) ran on the
// same survey: artifacts of finished tasks past gc.artifact_ttl go; then, if
// the root holds more than gc.max_size or its file system has less free than
// gc.min_free, GC reclaims in execenv/reclaim_plan.hpp's order until it is
// back under, re-reading free space after every step. Each removal happens on
// the worker pool, after asking again (on the io_context) that no task runs
// there, and while holding the folder (disk_guard.hpp). Logs the pass once at
// INFO when it freed anything, and a WARN naming what holds the space when it
// is over a limit with nothing left to reclaim.
// Thread rule: the daemon's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/gc.hpp"
#include "daemon/core/services.hpp"
#include "execenv/disk_survey.hpp"

namespace multicad::core {

// One pass's picture of the root and what became of it.
struct pass_view {
  execenv::root_survey survey;
  std::map<std::string, std::optional<issue_answer>> answers;  // by issue id; nullopt: nobody to ask
  std::vector<bool> gone;                                      // per survey.tasks: removed this pass
  std::chrono::steady_clock::time_point started;
  std::chrono::nanoseconds walk{0};  // how long the survey took

  // What the assigner said about task `i`'s issue (nullopt when none was asked).
  std::optional<issue_answer> issue_of(std::size_t i) const;
};

struct pass_tally {
  int folders_removed = 0;   // whole task folders (TTL and quota)
  int artifact_folders = 0;  // folders whose artifacts went
  int caches_removed = 0;
  int busy_caches = 0;
  std::uint64_t freed = 0;
  std::uint64_t unreclaimable = 0;  // estimated bytes of what failed to go
};

// Removes task folder `i` of the survey unless it is held now; `why` goes
// into the DEBUG line. WARNs on failure. Returns the bytes freed.
boost::asio::awaitable<std::uint64_t> remove_folder(services& svc, pass_view& v, std::size_t i, std::string why,
                                                    pass_tally& tally);

// Artifacts by age, the quota, the pass's log lines and svc.stats.disk.
boost::asio::awaitable<void> reclaim_disk(services& svc, pass_view& v, pass_tally& tally);

}  // namespace multicad::core
