// Which task folders GC must leave alone at this moment: the folders of the
// tasks this daemon runs (the journal's env roots, and the folder a claimed
// task is about to get), and every folder of an issue that has a running
// task (that task may reuse it). Asked again right before each removal, and
// paired with task_registry::gc_hold, so a task that starts mid-pass is
// never raced. Thread rule: the daemon's io_context.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "daemon/core/services.hpp"
#include "execenv/gc_meta.hpp"

namespace multicad::core {

struct held_folders {
  std::set<std::filesystem::path> dirs;
  std::set<std::string> issues;
  bool holds(const std::filesystem::path& dir, const std::optional<execenv::gc_meta>& meta) const;
};

held_folders held_now(services& svc);

// Marks a folder as GC's while one removal runs (task_registry::gc_hold);
// released when it goes out of scope. Lives in the GC coroutine's frame.
class gc_hold {
 public:
  gc_hold(task_registry& tasks, std::filesystem::path dir, std::string issue_id);
  ~gc_hold();
  gc_hold(const gc_hold&) = delete;
  gc_hold& operator=(const gc_hold&) = delete;

 private:
  task_registry& tasks_;
  std::filesystem::path dir_;
  std::string issue_;
};

}  // namespace multicad::core
