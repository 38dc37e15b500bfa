// The text of a task's turn (spec/server-api.md §15). The server sends no
// prompt; the daemon builds one by task kind: chat, comment reply, or
// issue assignment. Persona and skills reach the agent through files
// (AGENTS.md, skills/), not the prompt. Pure; any thread.
#pragma once

#include <string>

#include "proto/task.hpp"

namespace multicad::agent {

std::string build_prompt(const proto::task& t);

}  // namespace multicad::agent
