#include "daemon/core/metrics.hpp"

#include <cctype>

#include "daemon/build_info.hpp"

namespace multicad::core {

namespace {

bool id_like(const std::string& part) {
  // UUIDs, 32-hex ping ids and the like: long and mostly hex.
  if (part.size() < 8) return false;
  int hex = 0;
  for (char c : part) hex += std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
  return hex == static_cast<int>(part.size());
}

// Gauges appear once measured (a missing series says "not known yet", a 0
// would say "empty disk"); the writer prints integers exactly.
void render_disk(exposition& out, const disk_figures& d) {
  out.family("multicad_disk_used_bytes", "gauge", "Bytes under the workspaces root at the last GC pass.");
  if (d.used_bytes) out.sample("multicad_disk_used_bytes", {}, static_cast<std::uint64_t>(*d.used_bytes));
  out.family("multicad_disk_free_bytes", "gauge", "Bytes available on the workspaces root's file system.");
  if (d.free_bytes) out.sample("multicad_disk_free_bytes", {}, static_cast<std::uint64_t>(*d.free_bytes));
  out.family("multicad_disk_reclaimed_bytes_total", "counter", "Bytes GC freed (folders, artifacts, repository caches).");
  out.sample("multicad_disk_reclaimed_bytes_total", {}, static_cast<std::uint64_t>(d.reclaimed_bytes_total));
}

}  // namespace

void histogram::observe(double seconds) {
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i]) ++buckets_[i];
}

void histogram::render(exposition& out, std::string_view name, const labels& l) const {
  const std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    auto with_le = l;
    with_le.emplace_back("le", format_value(bounds[i]));
    out.sample(bucket, with_le, buckets_[i]);
  }
  auto inf = l;
  inf.emplace_back("le", "+Inf");
  out.sample(bucket, inf, count_);
  out.sample(std::string(name) + "_sum", l, sum_);
  out.sample(std::string(name) + "_count", l, count_);
}

std::string path_template(const std::string& path) {
  std::string out;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start + 1);
    auto part = path.substr(start + 1, slash == std::string::npos ? std::string::npos : slash - start - 1);
    out += "/" + (id_like(part) ? std::string("{id}") : part);
    if (slash == std::string::npos) break;
    start = slash;
  }
  return out;
}

void metrics::record_request(const std::string& method, const std::string& path, int status,
                             std::chrono::milliseconds latency, bool ok) {
  auto key = method + " " + path_template(path);
  auto outcome = ok ? std::string("ok") : status > 0 ? std::to_string(status / 100) + "xx" : std::string("transport");
  ++requests[key][outcome];
  request_seconds[key].observe(static_cast<double>(latency.count()) / 1000.0);
}

namespace {

// "POST /api/daemon/tasks/{id}/complete" -> method and path labels.
labels endpoint_labels(const std::string& key) {
  auto space = key.find(' ');
  return {{"method", key.substr(0, space)}, {"path", key.substr(space + 1)}};
}

}  // namespace

// Started and finished tasks are two families: under one label a sum() over
// all states would count every finished task twice.
void metrics::render_tasks(exposition& out) const {
  out.family("multicad_tasks_started_total", "counter", "Tasks claimed and started on this machine.");
  out.sample("multicad_tasks_started_total", {}, tasks_started);
  out.family("multicad_tasks_finished_total", "counter", "Tasks that ended, by how they ended.");
  for (auto [state, v] : {std::pair<const char*, std::uint64_t>{"completed", tasks_completed}, {"failed", tasks_failed},
                          {"cancelled", tasks_cancelled}, {"timed_out", tasks_timed_out}})
    out.sample("multicad_tasks_finished_total", {{"state", state}}, v);
  out.family("multicad_tasks_running", "gauge", "Tasks running now.");
  out.sample("multicad_tasks_running", {}, tasks_running);
}

void metrics::render_server(exposition& out) const {
  out.family("multicad_claims_total", "counter", "Claim calls by outcome (task, empty, error).");
  for (const auto& [k, v] : claims) out.sample("multicad_claims_total", {{"outcome", k}}, v);
  out.family("multicad_claim_duration_seconds", "histogram", "Latency of claim calls.");
  claim_seconds.render(out, "multicad_claim_duration_seconds", {});
  out.family("multicad_server_requests_total", "counter",
             "Server requests by endpoint and outcome (ok, 4xx, 5xx, transport).");
  for (const auto& [k, outcomes] : requests)
    for (const auto& [o, v] : outcomes) {
      auto l = endpoint_labels(k);
      l.emplace_back("outcome", o);
      out.sample("multicad_server_requests_total", l, v);
    }
  out.family("multicad_server_request_duration_seconds", "histogram", "Latency of server requests by endpoint.");
  for (const auto& [k, h] : request_seconds) h.render(out, "multicad_server_request_duration_seconds", endpoint_labels(k));
  out.family("multicad_heartbeat_failures_total", "counter", "Heartbeats that failed.");
  out.sample("multicad_heartbeat_failures_total", {}, heartbeat_failures);
  out.family("multicad_dispatch_push", "gauge", "1 while tasks arrive by push (the daemon WebSocket), 0 while by polling.");
  out.sample("multicad_dispatch_push", {}, std::int64_t{dispatch == "push" ? 1 : 0});
  out.family("multicad_dispatch_since_timestamp_seconds", "gauge", "When dispatch last changed between push and poll (Unix time).");
  out.sample("multicad_dispatch_since_timestamp_seconds", {},
             std::chrono::duration<double>(dispatch_since.time_since_epoch()).count());
  out.family("multicad_push_connects_total", "counter", "Daemon WebSocket connections opened.");
  out.sample("multicad_push_connects_total", {}, push_connects);
  out.family("multicad_reports_delivered_total", "counter", "Reports delivered from the outbox.");
  out.sample("multicad_reports_delivered_total", {}, reports_delivered);
}

void metrics::render_agent(exposition& out) const {
  out.family("multicad_codex_start_duration_seconds", "histogram", "From spawning Codex until its turn started.");
  codex_start_seconds.render(out, "multicad_codex_start_duration_seconds", {});
  out.family("multicad_version_detections_total", "counter", "Runs of `codex --version` (new or changed binaries).");
  out.sample("multicad_version_detections_total", {}, version_detections);
  out.family("multicad_gc_removed_total", "counter", "Task directories removed by GC.");
  out.sample("multicad_gc_removed_total", {}, gc_removed);
}

std::string metrics::render(std::int64_t outbox_depth) const {
  exposition out;
  const auto& b = this_build();
  out.family("multicad_build_info", "gauge", "Always 1; the labels say which multicad this is.");
  out.sample("multicad_build_info", {{"version", b.version}, {"commit", b.commit}, {"build_type", b.build_type}},
             std::int64_t{1});
  render_tasks(out);
  render_server(out);
  render_agent(out);
  if (outbox_depth >= 0) {
    out.family("multicad_outbox_depth", "gauge", "Reports stored and not yet delivered.");
    out.sample("multicad_outbox_depth", {}, outbox_depth);
  }
  render_disk(out, disk);
  return out.take();
}

}  // namespace multicad::core
