// The environment the Codex process runs with (spec/server-api.md §12): the
// daemon's own minus Claude Code's variables, then the MULTICA_* variables
// that let the agent use the `multica` CLI as the task's principal, PATH
// with the daemon's folder first, CODEX_HOME. The agent's custom_env is not
// part of it: it goes to the commands Codex runs, never to Codex or its
// launcher (execenv/task_settings.hpp). Pure; any thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace multicad::agent {

struct agent_env_inputs {
  std::vector<std::string> inherited;  // KEY=VALUE, the daemon's environment
  std::string token;                   // MULTICA_TOKEN (empty in local mode: not set)
  std::string server_url;
  int daemon_port = 0;
  std::string workspace_id, agent_name, agent_id, task_id;
  std::filesystem::path daemon_dir;  // prepended to PATH
  std::filesystem::path codex_home;
  std::filesystem::path tmp_dir;  // the task's private TMPDIR (empty: inherit)
};

struct agent_env {
  std::vector<std::string> entries;  // KEY=VALUE, sorted by key
};

agent_env build_agent_env(const agent_env_inputs& in);

// This process's environment as KEY=VALUE entries.
std::vector<std::string> current_environment();

}  // namespace multicad::agent
