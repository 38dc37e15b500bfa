// What `multicad disk-usage` says about a survey of the workspaces root
// (execenv/disk_survey.hpp): one JSON document (per task folder its kind,
// state, issue status when known, age, size and reclaimable artifacts; the
// repository caches as their own rows; sums per workspace; totals that agree
// with `du -sxB1 <root>`), and the tables printed from it.
// Pure (no I/O); any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "execenv/disk_survey.hpp"

namespace multicad::cli {

// Where the root came from, for the reader: the daemon, or the settings.
struct root_source {
  std::string kind;    // "daemon" | "settings"
  std::string detail;  // "the daemon on 127.0.0.1:19514", "env MULTICA_WORKSPACES_ROOT (no daemon answered ...)"
};

struct report_inputs {
  const execenv::root_survey& survey;
  std::optional<execenv::filesystem_space> space;
  root_source source;
  const config::gc_settings& gc;
  std::chrono::system_clock::time_point now;
  std::size_t top = 0;  // 0: every task folder; else the largest `top`
};

nlohmann::json disk_usage_json(const report_inputs& in);

// The text forms of that document.
void print_by_task(std::ostream& out, const nlohmann::json& report, std::size_t top);
void print_by_workspace(std::ostream& out, const nlohmann::json& report);

// "45s", "12m", "3h", "5d".
std::string short_age(std::int64_t seconds);

}  // namespace multicad::cli
