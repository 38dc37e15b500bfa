#include "daemon/core/health_document.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "config/duration.hpp"
#include "daemon/store/outbox.hpp"
#include "daemon/version.hpp"
#include "execenv/gc_meta.hpp"
#include "execenv/sandbox_policy.hpp"

namespace multicad::core {
using nlohmann::json;

namespace {
json time_or_null(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? json(execenv::format_rfc3339_utc(*t)) : json(nullptr);
}

json number_or_null(const std::optional<std::uint64_t>& v) { return v ? json(*v) : json(nullptr); }

// `multicad disk-usage` reads workspaces_root here, so it measures the root
// this daemon uses even when its own settings differ.
json disk_json(const services& svc) {
  const auto& d = svc.stats.disk;
  const auto& gc = svc.settings.gc;
  std::optional<std::uint64_t> min_free;
  if (gc.min_free.percent <= 0) min_free = gc.min_free.bytes;
  else if (d.total_bytes) min_free = gc.min_free.of(*d.total_bytes);
  return {{"workspaces_root", svc.settings.workspaces_root.string()},
          {"used_bytes", number_or_null(d.used_bytes)},
          {"measured_at", time_or_null(d.measured_at)},
          {"free_bytes", number_or_null(d.free_bytes)},
          {"total_bytes", number_or_null(d.total_bytes)},
          {"reclaimed_bytes_total", d.reclaimed_bytes_total},
          {"max_size_bytes", gc.max_size},
          {"min_free_bytes", number_or_null(min_free)},
          {"over_quota", d.over_quota}};
}
// Whole seconds: "1h59m58s" reads better than nanoseconds, and a second is
// as precise as a status line needs.
std::string whole_seconds(std::chrono::nanoseconds d) {
  return config::format_duration(std::chrono::floor<std::chrono::seconds>(d));
}

// The hard cap and the nearest liveness watch, each with the time left
// (null where there is none, or the agent has not started).
void add_liveness(json& entry, const task_liveness& l) {
  entry["hard_cap"] = l.hard_cap ? json(whole_seconds(*l.hard_cap)) : json(nullptr);
  entry["hard_cap_left"] = l.hard_cap_left ? json(whole_seconds(*l.hard_cap_left)) : json(nullptr);
  entry["idle_watchdog"] = l.idle_kind.empty() ? json(nullptr)
                                               : json{{"kind", l.idle_kind}, {"limit", whole_seconds(l.idle_limit)},
                                                      {"left", whole_seconds(l.idle_left)}};
}
}  // namespace

std::string health_json(services& svc, const std::string& server_url) {
  using namespace std::chrono;
  auto uptime = floor<seconds>(steady_clock::now() - svc.started);
  json workspaces = json::array();
  for (const auto& [id, w] : svc.workspaces) {
    json runtimes = json::array();
    for (const auto& rt : w.runtimes) runtimes.push_back(rt.id);
    workspaces.push_back({{"id", id}, {"runtimes", runtimes}});
  }
  json running = json::array();
  auto now = system_clock::now();
  for (const auto& t : svc.tasks.list()) {
    json entry{{"task_id", t.task_id}, {"issue_id", t.issue_id}, {"workspace_id", t.workspace_id},
               {"started_at", execenv::format_rfc3339_utc(t.started)},
               {"elapsed", config::format_duration(floor<seconds>(now - t.started))}};
    add_liveness(entry, t.liveness ? t.liveness() : task_liveness{});
    running.push_back(std::move(entry));
  }
  const char* status = !svc.ready ? "starting" : svc.stopping ? "stopping" : !svc.store_problem.empty() ? "degraded" : "running";
  json out{{"status", status},
           {"pid", ::getpid()},
           {"uptime", config::format_duration(uptime)},
           {"daemon_id", svc.settings.daemon_id},
           {"device_name", svc.settings.device_name},
           {"server_url", server_url},
           {"cli_version", multicad_version},
           {"active_task_count", svc.tasks.size()},
           {"agents", svc.codex.usable ? json::array({"codex"}) : json::array()},
           {"workspaces", workspaces.empty() ? json(nullptr) : workspaces},
           // The newer Multica CLI's `daemon status`/`stop` read these (agent-toolbox.md §9.4):
           // `profile` must match the one it asks about.
           {"os", std::string(execenv::to_string(execenv::host_platform()))},
           {"profile", svc.settings.profile},
           {"running_task_count", svc.tasks.size()},
           // multicad's own additions (multicad status reads them):
           {"mode", svc.mode},
           {"running_tasks", running},
           {"codex", {{"path", svc.codex.path.string()}, {"version", svc.codex.raw}}},
           {"last_server_contact", time_or_null(svc.contact.last_ok)},
           {"last_error", svc.store_problem.empty() ? svc.contact.last_error : svc.store_problem},
           {"last_error_at", time_or_null(svc.contact.last_error_at)},
           {"disk", disk_json(svc)}};
  store::outbox outbox(svc.db);
  if (auto d = outbox.depth()) {
    out["outbox"] = {{"depth", d->items}};
    if (d->oldest)
      out["outbox"]["oldest"] = {{"task_id", d->oldest->task_id}, {"kind", d->oldest->kind},
                                 {"attempts", d->oldest->attempts}, {"last_error", d->oldest->last_error},
                                 {"queued_at", execenv::format_rfc3339_utc(system_clock::time_point(
                                                   milliseconds(d->oldest->created_at_ms)))}};
  }
  if (svc.mode == "server")
    out["dispatch"] = {{"mode", svc.stats.dispatch}, {"since", execenv::format_rfc3339_utc(svc.stats.dispatch_since)}};
  if (!svc.settings.launched_by.empty()) out["launched_by"] = svc.settings.launched_by;
  return out.dump() + "\n";
}

}  // namespace multicad::core
