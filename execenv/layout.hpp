// Where a task's files live:
//   {workspaces_root}/{workspace_id}/{first 8 chars of task id, dashes removed}/
//     workdir/  the agent's working directory (reported as work_dir)
//     output/   logs/
//     tmp/      the agent's private TMPDIR
//     codex-home/  the task's private CODEX_HOME (codex only)
//     multica-config/  an empty folder the agent's Multica CLI reads its config from
//                   (MULTICA_TASK_CONFIG_ROOT), so it never finds the owner's
//     .gc_meta.json  written when the task ends (gc_meta.hpp)
//     .multicad_task.json  written when the directory is prepared: proof that
//                    multicad made it, for which workspace and task (reuse checks it)
// Pure; any thread.
#pragma once

#include <filesystem>
#include <string_view>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

struct task_layout {
  std::filesystem::path root, workdir, output, logs, codex_home, tmp, owner_marker, multica_config;
};

// The layout below `root` (an existing or future task directory).
task_layout layout_at(const std::filesystem::path& root);

// Validates the ids (path_guard.hpp) and returns the layout for them.
// Requires: workspaces_root is absolute.
result<task_layout> layout_for(const std::filesystem::path& workspaces_root, std::string_view workspace_id,
                               std::string_view task_id);

// The task directory name for a task id: its first 8 characters (code
// points, never part of one) with dashes removed.
std::string task_dir_name(std::string_view task_id);

}  // namespace multicad::execenv
