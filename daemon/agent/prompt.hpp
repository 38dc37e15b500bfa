// The text of a task's turn (spec/server-api.md §15). The server sends no
// prompt; the daemon builds one by task kind: chat, comment reply, or
// issue assignment. Persona, skills, the command reference and the
// workflow reach the agent through files (AGENTS.md, skills/), not the
// prompt, which says where to start and where `multica` is. Pure; any thread.
#pragma once

#include <string>

#include "proto/task.hpp"

namespace multicad::agent {

// `multica_path`: the absolute path of the agent's `multica`, named once so
// an agent whose login shell lost it from PATH still finds it; empty when
// the agent cannot use it (no network in the sandbox), and then the prompt
// names no command.
std::string build_prompt(const proto::task& t, const std::string& multica_path);

}  // namespace multicad::agent
