// Converts the server's claimed task (proto) into what execenv needs to
// write context files and skills, and checks the agent's settings against
// what a task may change (execenv/task_settings.hpp). Any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "execenv/task_context.hpp"
#include "proto/codex/turn_settings.hpp"
#include "proto/task.hpp"

namespace multicad::agent {

execenv::task_context to_task_context(const proto::task& t);

struct agent_settings {
  std::vector<std::string> codex_args;               // checked custom_args, canonical
  std::map<std::string, std::string> command_env;    // checked custom_env, for the agent's commands
  proto::codex::turn_settings turn;                  // the agent's model, effort and tier, checked
  std::string refusal;  // non-empty: the task must fail with this text before Codex starts
};

// Checks the task's custom_args and custom_env. Logs one WARN per refused
// variable (its name, never its value) and per dropped argument; a refused
// argument fails the task (`refusal`), a refused variable only goes missing.
// The agent's model, thinking level and service tier are checked against
// the Codex release `codex_release` (nullopt: not detected yet; checked again
// once it is): an unknown or unsupported value is a refusal.
agent_settings check_agent_settings(const proto::task& t, const config::codex_settings& codex,
                                    const std::optional<proto::codex::release>& codex_release = std::nullopt);

}  // namespace multicad::agent
