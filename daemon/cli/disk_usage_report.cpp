#include "daemon/cli/disk_usage_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

#include "config/disk_values.hpp"
#include "execenv/gc_meta.hpp"

namespace multicad::cli {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::int64_t seconds_since(std::chrono::system_clock::time_point t, std::chrono::system_clock::time_point now) {
  return std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - t).count());
}

json task_row(const execenv::task_folder& t, const fs::path& root, std::chrono::system_clock::time_point now) {
  auto since = t.meta && !t.running ? t.meta->completed_at : t.modified;
  json artifacts = json::array();
  for (const auto& a : t.usage.artifacts)
    artifacts.push_back({{"path", a.path.lexically_relative(root).string()}, {"bytes", a.bytes}, {"pattern", a.pattern}});
  return {{"path", t.dir.string()},
          {"relative_path", t.dir.lexically_relative(root).string()},
          {"workspace_id", t.workspace_id},
          {"task_dir", t.name},
          {"kind", t.meta ? "task" : "orphan"},
          {"state", t.running ? "running" : "finished"},
          {"issue_id", t.meta && !t.meta->issue_id.empty() ? json(t.meta->issue_id) : json(nullptr)},
          {"issue_status", t.meta && !t.meta->issue_status.empty() ? json(t.meta->issue_status) : json(nullptr)},
          {"completed_at", t.meta ? json(execenv::format_rfc3339_utc(t.meta->completed_at)) : json(nullptr)},
          {"age_seconds", seconds_since(since, now)},
          {"bytes", t.usage.bytes},
          {"artifact_bytes", t.running ? 0 : t.usage.artifact_bytes},
          {"artifacts", artifacts}};
}

json cache_row(const execenv::cache_folder& c, const fs::path& root, std::chrono::system_clock::time_point now) {
  return {{"path", c.cache.dir.string()},
          {"relative_path", c.cache.dir.lexically_relative(root).string()},
          {"workspace_id", c.cache.workspace_id},
          {"name", c.cache.name},
          {"kind", "repo_cache"},
          {"last_used", execenv::format_rfc3339_utc(c.cache.last_used)},
          {"age_seconds", seconds_since(c.cache.last_used, now)},
          {"bytes", c.bytes}};
}

struct workspace_sum {
  std::uint64_t tasks = 0, bytes = 0, artifact_bytes = 0, caches = 0, cache_bytes = 0;
};

std::string column(std::string s, std::size_t width) {
  if (s.size() < width) s += std::string(width - s.size(), ' ');
  return s + " ";
}

std::string size_or_dash(std::uint64_t b) { return b == 0 ? "-" : config::human_size(b); }

}  // namespace

std::string short_age(std::int64_t s) {
  if (s < 120) return std::to_string(s) + "s";
  if (s < 2 * 3600) return std::to_string(s / 60) + "m";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

namespace {

struct sums {
  std::uint64_t task_bytes = 0, artifact_bytes = 0, cache_bytes = 0;
  std::map<std::string, workspace_sum> by_workspace;
};

// Running folders count in sizes, never in what could be reclaimed.
sums add_up(const execenv::root_survey& s) {
  sums out;
  for (const auto& t : s.tasks) {
    auto& w = out.by_workspace[t.workspace_id];
    ++w.tasks;
    w.bytes += t.usage.bytes;
    out.task_bytes += t.usage.bytes;
    if (t.running) continue;
    w.artifact_bytes += t.usage.artifact_bytes;
    out.artifact_bytes += t.usage.artifact_bytes;
  }
  for (const auto& c : s.caches) {
    auto& w = out.by_workspace[c.cache.workspace_id];
    ++w.caches;
    w.cache_bytes += c.bytes;
    out.cache_bytes += c.bytes;
  }
  return out;
}

json quota_json(const report_inputs& in) {
  std::optional<std::uint64_t> min_free;
  if (in.space) min_free = in.gc.min_free.of(in.space->total);
  else if (in.gc.min_free.percent <= 0) min_free = in.gc.min_free.bytes;
  return {{"max_size_bytes", in.gc.max_size}, {"min_free_bytes", min_free ? json(*min_free) : json(nullptr)}};
}

}  // namespace

json disk_usage_json(const report_inputs& in) {
  const auto& s = in.survey;
  std::vector<const execenv::task_folder*> tasks;
  for (const auto& t : s.tasks) tasks.push_back(&t);
  std::stable_sort(tasks.begin(), tasks.end(), [](auto* a, auto* b) { return a->usage.bytes > b->usage.bytes; });
  json rows = json::array();
  for (std::size_t i = 0; i < tasks.size() && (in.top == 0 || i < in.top); ++i) rows.push_back(task_row(*tasks[i], s.root, in.now));
  json caches = json::array();
  for (const auto& c : s.caches) caches.push_back(cache_row(c, s.root, in.now));
  auto total = add_up(s);
  json workspaces = json::array();
  for (const auto& [id, w] : total.by_workspace)
    workspaces.push_back({{"workspace_id", id}, {"task_folders", w.tasks}, {"bytes", w.bytes},
                          {"artifact_bytes", w.artifact_bytes}, {"repo_caches", w.caches}, {"repo_cache_bytes", w.cache_bytes}});
  json space = in.space ? json{{"free_bytes", in.space->free}, {"total_bytes", in.space->total}} : json(nullptr);
  return {{"workspaces_root", s.root.string()},
          {"root_exists", s.root_exists},
          {"root_source", in.source.kind},
          {"root_source_detail", in.source.detail},
          {"total_bytes", s.total_bytes},
          {"task_bytes", total.task_bytes},
          {"artifact_bytes", total.artifact_bytes},
          {"repo_cache_bytes", total.cache_bytes},
          {"other_bytes", s.other_bytes},
          {"unreadable_entries", s.unreadable},
          {"task_folder_count", s.tasks.size()},
          {"filesystem", space},
          {"quota", quota_json(in)},
          {"tasks", rows},
          {"repo_caches", caches},
          {"workspaces", workspaces}};
}

namespace {

void print_summary(std::ostream& out, const json& r) {
  out << "workspaces root: " << r["workspaces_root"].get<std::string>() << " (from "
      << r["root_source_detail"].get<std::string>() << ")\n";
  if (!r["root_exists"].get<bool>()) {
    out << "it does not exist yet: nothing is stored\n";
    return;
  }
  out << "total: " << config::human_size(r["total_bytes"]) << " in " << r["task_folder_count"] << " task folder(s) and "
      << r["repo_caches"].size() << " repository cache(s); artifact clean-up would reclaim "
      << config::human_size(r["artifact_bytes"]) << "\n";
  if (r["filesystem"].is_object())
    out << "file system: " << config::human_size(r["filesystem"]["free_bytes"]) << " free of "
        << config::human_size(r["filesystem"]["total_bytes"]) << "\n";
  const auto& q = r["quota"];
  out << "quota: gc.max_size " << (q["max_size_bytes"] == 0 ? std::string("none") : config::human_size(q["max_size_bytes"]))
      << ", gc.min_free " << (q["min_free_bytes"].is_null() || q["min_free_bytes"] == 0 ? std::string("none")
                                                                                      : config::human_size(q["min_free_bytes"]))
      << "\n";
  if (r["unreadable_entries"] != 0) out << "note: " << r["unreadable_entries"] << " entries could not be read (counted as 0 bytes)\n";
}

}  // namespace

void print_by_task(std::ostream& out, const json& r, std::size_t top) {
  print_summary(out, r);
  struct row { std::uint64_t bytes; std::string line; };
  std::vector<row> rows;
  for (const auto& t : r["tasks"]) {
    std::string issue = t["issue_status"].is_string() ? t["issue_status"].get<std::string>() : "-";
    rows.push_back({t["bytes"], column(t["kind"], 10) + column(t["state"], 9) + column(issue, 12) +
                                    column(short_age(t["age_seconds"]), 5) + column(config::human_size(t["bytes"]), 10) +
                                    column(size_or_dash(t["artifact_bytes"]), 10) + t["relative_path"].get<std::string>()});
  }
  for (const auto& c : r["repo_caches"])
    rows.push_back({c["bytes"], column("repo-cache", 10) + column("-", 9) + column("-", 12) +
                                    column(short_age(c["age_seconds"]), 5) + column(config::human_size(c["bytes"]), 10) +
                                    column("-", 10) + c["relative_path"].get<std::string>()});
  std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.bytes > b.bytes; });
  if (top > 0 && rows.size() > top) rows.resize(top);
  if (rows.empty()) return;
  out << "\n" << column("KIND", 10) << column("STATE", 9) << column("ISSUE", 12) << column("AGE", 5) << column("SIZE", 10)
      << column("ARTIFACTS", 10) << "PATH\n";
  for (const auto& x : rows) out << x.line << "\n";
}

void print_by_workspace(std::ostream& out, const json& r) {
  print_summary(out, r);
  if (r["workspaces"].empty()) return;
  out << "\n" << column("WORKSPACE", 36) << column("TASKS", 6) << column("SIZE", 10) << column("ARTIFACTS", 10)
      << "REPO CACHES\n";
  for (const auto& w : r["workspaces"])
    out << column(w["workspace_id"], 36) << column(std::to_string(w["task_folders"].get<std::uint64_t>()), 6)
        << column(config::human_size(w["bytes"]), 10) << column(size_or_dash(w["artifact_bytes"]), 10)
        << (w["repo_caches"] == 0 ? std::string("-")
                                  : std::to_string(w["repo_caches"].get<std::uint64_t>()) + " (" +
                                        config::human_size(w["repo_cache_bytes"]) + ")")
        << "\n";
}

}  // namespace multicad::cli
