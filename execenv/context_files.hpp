// The files that tell the agent what it is working on, written into its
// working directory and refreshed on every Prepare or Reuse:
//   workdir/.agent_context/issue_context.md  issue id, trigger, quick-start
//                                            command, skills
//   workdir/AGENTS.md  identity, instructions, the multica commands, the
//                      workflow of the task's kind and the repositories
//                      (Codex reads AGENTS.md natively; agents_md.cpp)
// Pure renderers plus one blocking writer; any thread.
#pragma once

#include <filesystem>
#include <string>

#include "execenv/outcome.hpp"
#include "execenv/task_context.hpp"

namespace multicad::execenv {

std::string render_issue_context(const task_context& task);
std::string render_agents_md(const task_context& task);

// Requires: workdir exists.
result<void> write_context_files(const std::filesystem::path& workdir, const task_context& task);

}  // namespace multicad::execenv
