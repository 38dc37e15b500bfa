// .gc_meta.json in a task directory: which issue the directory served and
// when the task ended, so GC can ask the server whether the issue is done.
// Written last when a task ends; read by GC, which also records there the
// issue's status as the server last told it (for `multicad disk-usage`).
// Blocking I/O; any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

struct gc_meta {
  std::string issue_id;
  std::string workspace_id;
  std::chrono::system_clock::time_point completed_at;
  std::string issue_status;  // as GC last heard it ("done", "in_progress", ...); empty: never asked
  std::optional<std::chrono::system_clock::time_point> issue_checked_at;
  bool operator==(const gc_meta&) const = default;
};

// RFC 3339 UTC with whole seconds, e.g. "2026-11-26T17:29:05Z".
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);
// Any RFC 3339 timestamp (fractional seconds and offsets allowed); nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

result<void> write_gc_meta(const std::filesystem::path& task_root, const gc_meta& meta);
// An error when the file is missing, unreadable or malformed (GC then applies its orphan rule).
result<gc_meta> read_gc_meta(const std::filesystem::path& task_root);

// Rewrites the metadata with `status` heard at `at`, keeping the task
// directory's mtime (the orphan rule's clock) as it was.
result<void> record_issue_status(const std::filesystem::path& task_root, gc_meta meta, std::string status,
                                 std::chrono::system_clock::time_point at);

}  // namespace multicad::execenv
