#include "execenv/layout.hpp"

#include "execenv/path_guard.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

task_layout layout_at(const fs::path& root) {
  return {root, root / "workdir", root / "output", root / "logs", root / "codex-home", root / "tmp"};
}

std::string task_dir_name(std::string_view task_id) {
  std::string out;
  for (char c : task_id) {
    if (c == '-') continue;
    out += c;
    if (out.size() == 8) break;
  }
  return out;
}

result<task_layout> layout_for(const fs::path& workspaces_root, std::string_view workspace_id, std::string_view task_id) {
  if (!workspaces_root.is_absolute())
    return error{"the workspaces root must be an absolute path", workspaces_root.string()};
  if (auto ok = check_component("workspace id", workspace_id); !ok) return ok.error();
  if (auto ok = check_component("task id", task_id); !ok) return ok.error();
  auto dir = task_dir_name(task_id);
  if (auto ok = check_component("task id", dir); !ok) return ok.error();
  return layout_at(workspaces_root / std::string(workspace_id) / dir);
}

}  // namespace multicad::execenv
