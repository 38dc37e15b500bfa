// The tasks this daemon is running now: what /health and `multicad status`
// show, what the concurrency cap counts, and what shutdown stops.
// Thread rule: the daemon's io_context only.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace multicad::core {

// A running task's limits and the time left on each, for /health and
// `multicad status`.
struct task_liveness {
  std::optional<std::chrono::nanoseconds> hard_cap;       // agent_timeout; nullopt: no cap
  std::optional<std::chrono::nanoseconds> hard_cap_left;  // nullopt: the agent is not running yet
  std::string idle_kind;  // the watch nearest to firing: "idle", "tool", "semantic", "first turn"; empty: none runs
  std::chrono::nanoseconds idle_limit{0}, idle_left{0};
};

struct running_entry {
  std::string task_id;
  std::string issue_id;
  std::string workspace_id;
  std::string runtime_id;
  std::chrono::system_clock::time_point started;
  std::function<void(const std::string& reason)> stop;  // asks the task to stop; idempotent
  std::function<task_liveness()> liveness;              // may be empty
};

class task_registry {
 public:
  void add(running_entry e) { tasks_[e.task_id] = std::move(e); }
  void remove(const std::string& task_id) {
    tasks_.erase(task_id);
    if (on_change) on_change();
  }
  bool contains(const std::string& task_id) const { return tasks_.count(task_id) > 0; }
  std::size_t size() const { return tasks_.size(); }
  std::vector<running_entry> list() const {
    std::vector<running_entry> out;
    for (const auto& [id, e] : tasks_) out.push_back(e);
    return out;
  }
  void stop_all(const std::string& reason) {
    for (auto& [id, e] : tasks_)
      if (e.stop) e.stop(reason);
  }
  std::function<void()> on_change;  // a slot freed: wakes the poller and shutdown

  // GC holds a finished task folder (by path, and by the issue it served)
  // while it removes something in it; a task starting meanwhile prepares a
  // fresh folder rather than reuse a half-removed one. Both sides decide on
  // the io_context, so "GC checked no task runs" and "a task looked for a
  // hold" cannot interleave.
  void gc_hold(const std::filesystem::path& dir, const std::string& issue_id) {
    gc_dirs_.insert(dir);
    if (!issue_id.empty()) gc_issues_.insert(issue_id);
  }
  void gc_release(const std::filesystem::path& dir, const std::string& issue_id) {
    gc_dirs_.erase(dir);
    if (!issue_id.empty()) gc_issues_.erase(issue_id);
  }
  bool gc_holds(const std::filesystem::path& dir, const std::string& issue_id) const {
    return gc_dirs_.count(dir) > 0 || (!issue_id.empty() && gc_issues_.count(issue_id) > 0);
  }

 private:
  std::map<std::string, running_entry> tasks_;
  std::set<std::filesystem::path> gc_dirs_;
  std::set<std::string> gc_issues_;
};

}  // namespace multicad::core
