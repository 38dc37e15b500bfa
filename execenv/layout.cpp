#include "execenv/layout.hpp"

#include <algorithm>

#include "config/utf8.hpp"
#include "execenv/path_guard.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

task_layout layout_at(const fs::path& root) {
  return {root, root / "workdir", root / "output", root / "logs", root / "codex-home", root / "tmp",
          root / ".multicad_task.json", root / "multica-config"};
}

std::string task_dir_name(std::string_view task_id) {
  // Counted in characters, not bytes, so a name is never cut inside one
  // (server ids are UUIDs; local and test ids need not be ASCII).
  std::string out;
  int taken = 0;
  for (std::size_t i = 0; i < task_id.size() && taken < 8;) {
    auto n = std::max<std::size_t>(config::utf8_sequence_length(task_id, i), 1);
    if (task_id[i] != '-') {
      out.append(task_id.substr(i, n));
      ++taken;
    }
    i += n;
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
