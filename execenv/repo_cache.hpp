// The bare repository caches of `repo checkout` (spec/agent-toolbox.md §7.4)
// as GC sees them: <root>/.repos/<workspace_id>/<name>, a bare repository
// (it has a HEAD file) beside its lock file <name>.lock. The checkout code
// holds an exclusive flock(2) on the lock while it clones, fetches or checks
// out, and touches the lock after each use, so its mtime is "last used".
// Task checkouts are independent clones (copied objects), so removing a
// cache never breaks one. No .repos folder is simply no caches.
// Blocking; any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "execenv/disk_walk.hpp"

namespace multicad::execenv {

inline constexpr const char* repo_caches_folder = ".repos";

struct repo_cache {
  std::filesystem::path dir;
  std::string workspace_id;
  std::string name;
  std::chrono::system_clock::time_point last_used;  // the lock's mtime, else the cache's own
};

// "<cache>.lock", beside the cache.
std::filesystem::path lock_file_of(const std::filesystem::path& cache_dir);

// Every cache below the root's .repos folder, sorted by path. Symlinks and
// folders without HEAD are not caches; lock files are not listed.
std::vector<repo_cache> list_repo_caches(const std::filesystem::path& workspaces_root);

enum class cache_removal_outcome { removed, busy, failed };

struct cache_removal {
  cache_removal_outcome outcome = cache_removal_outcome::failed;
  removal detail;  // freed bytes, or why it failed
};

// Takes the cache's lock without waiting (creating the lock file if it is
// missing, so the checkout code then waits on it), removes the cache while
// holding it, and keeps the lock file. A lock held by someone else is `busy`
// and nothing is touched.
// Requires: `cache_dir` is <workspaces_root>/.repos/<workspace>/<name>.
cache_removal remove_repo_cache(const std::filesystem::path& workspaces_root, const std::filesystem::path& cache_dir);

}  // namespace multicad::execenv
