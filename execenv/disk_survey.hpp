// One look at everything under the workspaces root: each task folder
// (<root>/<workspace>/<task>) with its GC metadata, size and artifacts, each
// repository cache (repo_cache.hpp) with its size, and what is neither (the
// root's and workspace folders' own blocks, stray files, other dot-folders).
// Caches are measured first, so an object hard-linked between a cache and a
// checkout counts in the cache, and a task folder's figure is what removing
// it would free while the cache stays. The sum agrees with `du -sxB1 <root>`.
// Blocking (a walk of the whole tree); run it off the event loop. Any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/disk_values.hpp"
#include "execenv/artifacts.hpp"
#include "execenv/gc_meta.hpp"
#include "execenv/repo_cache.hpp"

namespace multicad::execenv {

struct task_folder {
  std::filesystem::path dir;
  std::string workspace_id;  // the folder names
  std::string name;
  std::optional<gc_meta> meta;                       // empty: missing or unreadable (an orphan)
  std::chrono::system_clock::time_point modified;    // the folder's own mtime
  bool running = false;                              // in the caller's running set: measured, not searched
  folder_usage usage;
};

struct cache_folder {
  repo_cache cache;
  std::uint64_t bytes = 0;
};

struct root_survey {
  std::filesystem::path root;
  bool root_exists = false;
  std::uint64_t total_bytes = 0;  // everything below the root, the root included
  std::uint64_t other_bytes = 0;  // the part that is neither a task folder nor a cache
  std::uint64_t unreadable = 0;   // entries that could not be examined
  std::vector<task_folder> tasks;  // sorted by path
  std::vector<cache_folder> caches;
};

struct survey_options {
  std::vector<config::artifact_pattern> patterns;
  std::set<std::filesystem::path> running;  // task folders not to search for artifacts
  bool find_artifacts = true;
};

root_survey survey_root(const std::filesystem::path& root, const survey_options& options);

}  // namespace multicad::execenv
