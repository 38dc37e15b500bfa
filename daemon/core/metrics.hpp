// The daemon's counters, gauges and latency histograms, rendered in the
// Prometheus text format on GET /metrics (exposition.hpp writes it: integers
// exact, labels escaped). Label sets are fixed and small (server paths are
// reduced to templates, ids never become labels). A new metric is a field
// here and a few lines in one of render()'s sections (metrics.cpp).
// Thread rule: update and render on the daemon's io_context only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "daemon/core/disk_figures.hpp"
#include "daemon/core/exposition.hpp"

namespace multicad::core {

class histogram {
 public:
  // Seconds; chosen around what the daemon does: sub-millisecond loopback
  // requests up to minute-long agent starts.
  static constexpr std::array<double, 12> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  void observe(double seconds);
  void render(exposition& out, std::string_view name, const labels& l) const;

 private:
  std::array<std::uint64_t, bounds.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

struct metrics {
  // Tasks claimed, tasks by how they ended (task_end in task_runner.hpp),
  // and how many run now.
  std::uint64_t tasks_started = 0, tasks_completed = 0, tasks_failed = 0, tasks_cancelled = 0, tasks_timed_out = 0;
  std::int64_t tasks_running = 0;
  // Claims: outcome -> count; latency of each claim call.
  std::map<std::string, std::uint64_t> claims;  // task | empty | error
  histogram claim_seconds;
  // Every server request: "METHOD /api/daemon/tasks/{id}/complete" -> outcome -> count, and latency.
  std::map<std::string, std::map<std::string, std::uint64_t>> requests;
  std::map<std::string, histogram> request_seconds;
  std::uint64_t heartbeat_failures = 0;
  // How tasks reach the daemon: "poll", or "push" while the daemon WebSocket
  // is up (server_worker_push.cpp); since when; how often it connected.
  std::string dispatch = "poll";
  std::chrono::system_clock::time_point dispatch_since = std::chrono::system_clock::now();
  std::uint64_t push_connects = 0;
  histogram codex_start_seconds;  // spawn until the turn started
  std::uint64_t version_detections = 0;
  std::uint64_t gc_removed = 0;
  std::uint64_t reports_delivered = 0;
  disk_figures disk;  // /health shows the same figures

  void record_request(const std::string& method, const std::string& path, int status, std::chrono::milliseconds latency,
                      bool ok);
  // Prometheus text; `outbox_depth` is read from the store at scrape time
  // (-1: it could not be read, and the gauge is left out).
  std::string render(std::int64_t outbox_depth) const;

 private:
  void render_tasks(exposition& out) const;
  void render_server(exposition& out) const;
  void render_agent(exposition& out) const;
};

// "/api/daemon/tasks/<uuid>/complete" -> "/api/daemon/tasks/{id}/complete".
std::string path_template(const std::string& path);

}  // namespace multicad::core
