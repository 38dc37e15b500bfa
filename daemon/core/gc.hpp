// Garbage collection of task directories under the workspaces root
// (spec/server-api.md §8.3): a directory goes when its issue has been done
// or cancelled for gc.ttl, or when nothing tells what it belongs to (no
// metadata, or an issue the server no longer knows) for gc.orphan_ttl.
// Directories of running tasks, dot-folders and anything that is not a
// plain directory below the root are never touched. The disk side (sizes,
// artifacts, the quota) is disk_reclaim.hpp.
// decide() and classify() are pure; remove_task_dir() blocks (run it on the pool).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "execenv/disk_walk.hpp"
#include "execenv/gc_meta.hpp"
#include "execenv/reclaim_plan.hpp"

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

// Where a finished folder stands in the quota's reclaim order
// (execenv/reclaim_plan.hpp): done or cancelled issues and local-mode tasks
// (`issue` empty: nobody to ask) go before open issues; no metadata or an
// issue the server does not know is an orphan; an unanswered question
// counts as open. `held`: a running task owns it or may reuse it.
execenv::folder_state classify(bool has_meta, const std::optional<issue_answer>& issue, bool held);

// Removes `dir` (after checking it is a plain directory two levels below
// root, every component opened without following symlinks) and then its
// workspace folder if that became empty. `freed` counts what the disk got back.
execenv::removal remove_task_dir(const std::filesystem::path& root, const std::filesystem::path& dir);

}  // namespace multicad::core
