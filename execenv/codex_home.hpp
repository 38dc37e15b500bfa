// Seeds a task's private CODEX_HOME from the user's shared one ($CODEX_HOME or
// ~/.codex) so Codex finds the user's login and settings:
//   sessions/  symlink to the shared sessions folder (created there if
//              missing), so a later task can resume this task's thread
//   auth.json  symlink, only when the shared one exists (linked, never copied)
//   config.json, config.toml, instructions.md  copied when present in the
//              shared home and not yet in the task home
// A symlink pointing elsewhere is replaced; a regular file in its place is
// left alone. The task home is made private (0700). Blocking filesystem
// work: call from a worker thread in the daemon.
#pragma once

#include <filesystem>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

// Requires: shared_home is absolute. Creates task_home if needed.
result<std::vector<notice>> seed_codex_home(const std::filesystem::path& task_home,
                                            const std::filesystem::path& shared_home);

}  // namespace multicad::execenv
