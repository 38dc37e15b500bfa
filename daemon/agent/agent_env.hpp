// The environment the Codex process runs with (spec/server-api.md §12): the
// daemon's own minus Claude Code's and its own MULTICA_* variables, then the
// MULTICA_* variables that let the agent's `multica` reach the daemon's
// endpoint with the task's capability (never the owner's token), PATH with
// the folder of `multica` first, CODEX_HOME, a private TMPDIR. The agent's custom_env is not
// part of it: it goes to the commands Codex runs, never to Codex or its
// launcher (execenv/task_settings.hpp). Pure; any thread.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace multicad::agent {

struct agent_env_inputs {
  std::vector<std::string> inherited;  // KEY=VALUE, the daemon's environment
  std::string token;                   // MULTICA_TOKEN (empty in local mode: not set)
  std::string server_url;
  int daemon_port = 0;
  std::string workspace_id, agent_name, agent_id, task_id;
  std::filesystem::path agent_bin;  // the folder with `multica`, prepended to PATH
  std::filesystem::path codex_home;
  std::filesystem::path tmp_dir;  // the task's private TMPDIR (empty: inherit)
  std::filesystem::path multica_config;  // MULTICA_TASK_CONFIG_ROOT (empty: not set)
};

struct agent_env {
  std::vector<std::string> entries;  // KEY=VALUE, sorted by key
  // The MULTICA_* variables among them: also sent as the commands'
  // environment (shell_environment_policy.set), since Codex's default policy
  // drops *TOKEN* names from what it passes on.
  std::map<std::string, std::string> toolbox;
};

agent_env build_agent_env(const agent_env_inputs& in);

// This process's environment as KEY=VALUE entries.
std::vector<std::string> current_environment();

}  // namespace multicad::agent
