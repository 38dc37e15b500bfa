#include "daemon/core/metrics.hpp"

#include <cstdio>

namespace multicad::core {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const std::string& name, const std::string& labels, double value) {
  out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
}

bool id_like(const std::string& part) {
  // UUIDs, 32-hex ping ids and the like: long and mostly hex.
  if (part.size() < 8) return false;
  int hex = 0;
  for (char c : part) hex += std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
  return hex == static_cast<int>(part.size());
}

// Byte counts in full: "%.6g" would round 53687091200 to 5.36871e+10.
void whole(std::string& out, const char* name, std::uint64_t v) { out += std::string(name) + " " + std::to_string(v) + "\n"; }

// Gauges appear once measured (a missing series says "not known yet", a 0
// would say "empty disk").
void render_disk(std::string& out, const disk_figures& d) {
  header(out, "multicad_disk_used_bytes", "gauge", "Bytes under the workspaces root at the last GC pass.");
  if (d.used_bytes) whole(out, "multicad_disk_used_bytes", *d.used_bytes);
  header(out, "multicad_disk_free_bytes", "gauge", "Bytes available on the workspaces root's file system.");
  if (d.free_bytes) whole(out, "multicad_disk_free_bytes", *d.free_bytes);
  header(out, "multicad_disk_reclaimed_bytes_total", "counter", "Bytes GC freed (folders, artifacts, repository caches).");
  whole(out, "multicad_disk_reclaimed_bytes_total", d.reclaimed_bytes_total);
}

}  // namespace

void histogram::observe(double seconds) {
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i]) ++buckets_[i];
}

void histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : labels + ",";
  for (std::size_t i = 0; i < bounds.size(); ++i)
    sample(out, name + "_bucket", sep + "le=\"" + number(bounds[i]) + "\"", static_cast<double>(buckets_[i]));
  sample(out, name + "_bucket", sep + "le=\"+Inf\"", static_cast<double>(count_));
  sample(out, name + "_sum", labels, sum_);
  sample(out, name + "_count", labels, static_cast<double>(count_));
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

std::string metrics::render(std::int64_t outbox_depth) const {
  std::string out;
  header(out, "multicad_tasks_total", "counter", "Tasks by how they ended (started counts every claimed task).");
  for (auto [name, v] : {std::pair<const char*, std::uint64_t>{"started", tasks_started}, {"completed", tasks_completed},
                         {"failed", tasks_failed}, {"cancelled", tasks_cancelled}, {"timed_out", tasks_timed_out}})
    sample(out, "multicad_tasks_total", std::string("state=\"") + name + "\"", static_cast<double>(v));
  header(out, "multicad_tasks_running", "gauge", "Tasks running now.");
  sample(out, "multicad_tasks_running", "", static_cast<double>(tasks_running));
  header(out, "multicad_claims_total", "counter", "Claim calls by outcome (task, empty, error).");
  for (const auto& [k, v] : claims) sample(out, "multicad_claims_total", "outcome=\"" + k + "\"", static_cast<double>(v));
  header(out, "multicad_claim_duration_seconds", "histogram", "Latency of claim calls.");
  claim_seconds.render(out, "multicad_claim_duration_seconds", "");
  header(out, "multicad_server_requests_total", "counter", "Server requests by endpoint and outcome (ok, 4xx, 5xx, transport).");
  for (const auto& [k, outcomes] : requests) {
    auto space = k.find(' ');
    auto labels = "method=\"" + k.substr(0, space) + "\",path=\"" + k.substr(space + 1) + "\"";
    for (const auto& [o, v] : outcomes) sample(out, "multicad_server_requests_total", labels + ",outcome=\"" + o + "\"", static_cast<double>(v));
  }
  header(out, "multicad_server_request_duration_seconds", "histogram", "Latency of server requests by endpoint.");
  for (const auto& [k, h] : request_seconds) {
    auto space = k.find(' ');
    h.render(out, "multicad_server_request_duration_seconds", "method=\"" + k.substr(0, space) + "\",path=\"" + k.substr(space + 1) + "\"");
  }
  header(out, "multicad_heartbeat_failures_total", "counter", "Heartbeats that failed.");
  sample(out, "multicad_heartbeat_failures_total", "", static_cast<double>(heartbeat_failures));
  header(out, "multicad_codex_start_duration_seconds", "histogram", "From spawning Codex until its turn started.");
  codex_start_seconds.render(out, "multicad_codex_start_duration_seconds", "");
  header(out, "multicad_version_detections_total", "counter", "Runs of `codex --version` (new or changed binaries).");
  sample(out, "multicad_version_detections_total", "", static_cast<double>(version_detections));
  header(out, "multicad_gc_removed_total", "counter", "Task directories removed by GC.");
  sample(out, "multicad_gc_removed_total", "", static_cast<double>(gc_removed));
  header(out, "multicad_reports_delivered_total", "counter", "Reports delivered from the outbox.");
  sample(out, "multicad_reports_delivered_total", "", static_cast<double>(reports_delivered));
  header(out, "multicad_outbox_depth", "gauge", "Reports stored and not yet delivered.");
  sample(out, "multicad_outbox_depth", "", static_cast<double>(outbox_depth));
  render_disk(out, disk);
  return out;
}

}  // namespace multicad::core
