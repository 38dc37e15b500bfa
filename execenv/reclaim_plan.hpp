// What GC takes back, and in which order, when the disk quota is crossed
// (gc.max_size: bytes under the workspaces root; gc.min_free: free bytes on
// its file system), and which artifacts are due by age (gc.artifact_ttl).
//
// Quota order, until the need is covered (docs/operations.md "Disk"):
//   1. artifacts of finished task folders, oldest first;
//   2. whole finished folders whose issue is done or cancelled, and orphans
//      (no usable metadata, or an issue the server no longer knows), oldest first;
//   3. whole finished folders of open issues (or of issues nobody could be
//      asked about), oldest first;
//   4. repository caches, least recently used first.
// A running folder (or one its issue's running task may reuse) is never in
// the order. Pure functions; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace multicad::execenv {

enum class folder_state { running, issue_done, orphan, issue_open };

struct reclaim_candidate {
  enum class kind { task_folder, repo_cache } what = kind::task_folder;
  folder_state state = folder_state::issue_open;  // task folders only
  std::chrono::system_clock::time_point since;    // task: when it ended (or its mtime); cache: last used
  std::uint64_t bytes = 0;                        // what removing it all should free
  std::uint64_t artifact_bytes = 0;               // what removing its artifacts should free
};

enum class step_kind { artifacts, folder, cache };

struct reclaim_step {
  step_kind what;
  std::size_t candidate;   // index into the candidates given
  std::uint64_t estimate;  // bytes it should free, given the steps before it
};

struct disk_quota {
  std::uint64_t max_size = 0;  // 0: no limit
  std::uint64_t min_free = 0;  // bytes; 0: no floor
};

// Bytes to take back to be under both limits; 0 when under.
std::uint64_t bytes_over(const disk_quota& q, std::uint64_t used_under_root, std::uint64_t free_on_filesystem);

// Every possible step, in reclaim order. With `whole_folders` false
// (keep_env_after_task) task folders lose only their artifacts.
std::vector<reclaim_step> reclaim_order(const std::vector<reclaim_candidate>& candidates, bool whole_folders = true);

// How many leading steps of `order` cover `need` by their estimates (all of
// them when they do not); the executor measures what each really freed.
std::size_t steps_to_cover(const std::vector<reclaim_step>& order, std::uint64_t need);

// Finished folders (not running) with artifacts that ended at least `ttl`
// before `now`, oldest first. A zero ttl means "never by age": none.
std::vector<std::size_t> artifacts_due(const std::vector<reclaim_candidate>& candidates, std::chrono::nanoseconds ttl,
                                       std::chrono::system_clock::time_point now);

}  // namespace multicad::execenv
