// .gc_meta.json in a task directory: which issue the directory served and
// when the task ended, so GC can ask the server whether the issue is done.
// Written last when a task ends; read by GC. Blocking I/O; any thread.
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
  bool operator==(const gc_meta&) const = default;
};

// RFC 3339 UTC with whole seconds, e.g. "2026-11-26T17:29:05Z".
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);
// Any RFC 3339 timestamp (fractional seconds and offsets allowed); nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

result<void> write_gc_meta(const std::filesystem::path& task_root, const gc_meta& meta);
// An error when the file is missing, unreadable or malformed (GC then applies its orphan rule).
result<gc_meta> read_gc_meta(const std::filesystem::path& task_root);

}  // namespace multicad::execenv
