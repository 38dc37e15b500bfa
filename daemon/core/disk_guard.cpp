#include "daemon/core/disk_guard.hpp"

#include "daemon/store/journal.hpp"
#include "execenv/layout.hpp"

namespace multicad::core {
namespace fs = std::filesystem;

bool held_folders::holds(const fs::path& dir, const std::optional<execenv::gc_meta>& meta) const {
  return dirs.count(dir) > 0 || (meta && !meta->issue_id.empty() && issues.count(meta->issue_id) > 0);
}

held_folders held_now(services& svc) {
  held_folders out;
  const auto& root = svc.settings.workspaces_root;
  auto folder_of = [&](const std::string& workspace_id, const std::string& task_id) {
    if (auto l = execenv::layout_for(root, workspace_id, task_id)) out.dirs.insert(l->root);
  };
  store::journal journal(svc.db);
  if (auto rows = journal.list()) {
    for (const auto& r : *rows) {
      if (!r.env_root.empty()) out.dirs.insert(fs::path(r.env_root));
      folder_of(r.workspace_id, r.task_id);  // claimed, folder not prepared yet
    }
  }
  for (const auto& t : svc.tasks.list()) {
    folder_of(t.workspace_id, t.task_id);
    if (!t.issue_id.empty()) out.issues.insert(t.issue_id);
  }
  return out;
}

gc_hold::gc_hold(task_registry& tasks, fs::path dir, std::string issue_id)
    : tasks_(tasks), dir_(std::move(dir)), issue_(std::move(issue_id)) {
  tasks_.gc_hold(dir_, issue_);
}

gc_hold::~gc_hold() { tasks_.gc_release(dir_, issue_); }

}  // namespace multicad::core
