// Garbage collection of task directories under the workspaces root
// (spec/server-api.md §8.3): a directory goes when its issue has been done
// or cancelled for gc.ttl, or when nothing tells what it belongs to (no
// metadata, or an issue the server no longer knows) for gc.orphan_ttl.
// Directories of running tasks, dot-folders and anything that is not a
// plain directory below the root are never touched.
// decide() is pure; scan() and remove() block (run them on the pool).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "execenv/gc_meta.hpp"

namespace multicad::core {

struct gc_candidate {
  std::filesystem::path dir;            // <root>/<workspace>/<task>
  std::filesystem::file_time_type mtime;
  std::optional<execenv::gc_meta> meta;  // empty: missing or unreadable
};

// What the assigner says about a candidate's issue.
struct issue_answer {
  enum class kind { known, unknown, error } what = kind::error;
  std::string status;  // for known: done, cancelled, in_progress, ...
  std::optional<std::chrono::system_clock::time_point> updated_at;
};

enum class gc_verdict { keep, remove_done, remove_orphan };

gc_verdict decide(const gc_candidate& c, const std::optional<issue_answer>& issue, const config::settings& s,
                  std::chrono::system_clock::time_point now, std::filesystem::file_time_type now_file);

// Every task directory below the root (two levels), skipping dot-folders,
// symlinks and the directories in `running`.
std::vector<gc_candidate> scan(const std::filesystem::path& root, const std::set<std::filesystem::path>& running);

// Removes `dir` (after checking it is still a plain directory two levels
// below root) and then its workspace folder if that became empty.
bool remove_task_dir(const std::filesystem::path& root, const std::filesystem::path& dir, std::string& error);

}  // namespace multicad::core
