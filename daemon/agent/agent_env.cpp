#include "daemon/agent/agent_env.hpp"

#include <map>

#include "daemon/agent/process_tree.hpp"

extern char** environ;

namespace multicad::agent {

namespace {

// Claude Code's own variables would make a nested agent think it runs
// inside Claude Code; systemd's notification variables belong to the daemon
// (an agent must not speak for it); the daemon's own MULTICA_* settings (its
// token, token file, server) are not the agent's: it gets its own below.
bool inherited_but_dropped(const std::string& key) {
  return key == "CLAUDECODE" || key.starts_with("CLAUDECODE_") || key.starts_with("CLAUDE_CODE_") ||
         key == "NOTIFY_SOCKET" || key == "WATCHDOG_USEC" || key == "WATCHDOG_PID" || key.starts_with("MULTICA_");
}

}  // namespace

agent_env build_agent_env(const agent_env_inputs& in) {
  std::map<std::string, std::string> env;
  for (const auto& kv : in.inherited) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    auto key = kv.substr(0, eq);
    if (!inherited_but_dropped(key)) env[key] = kv.substr(eq + 1);
  }
  if (!in.token.empty()) env["MULTICA_TOKEN"] = in.token;
  if (!in.server_url.empty()) env["MULTICA_SERVER_URL"] = in.server_url;
  if (in.daemon_port > 0) env["MULTICA_DAEMON_PORT"] = std::to_string(in.daemon_port);
  env["MULTICA_WORKSPACE_ID"] = in.workspace_id;
  env["MULTICA_AGENT_NAME"] = in.agent_name.empty() ? "agent" : in.agent_name;
  env["MULTICA_AGENT_ID"] = in.agent_id;
  env["MULTICA_TASK_ID"] = in.task_id;
  std::string path = env.count("PATH") ? env["PATH"] : "/usr/local/bin:/usr/bin:/bin";
  if (!in.agent_bin.empty()) path = in.agent_bin.string() + ":" + path;
  env["PATH"] = path;
  env["CODEX_HOME"] = in.codex_home.string();
  // A private TMPDIR per task: tasks cannot see each other's temp files, and
  // Codex refuses to create its sandbox helper links when CODEX_HOME lies
  // under TMPDIR (then, with a system bubblewrap, every sandboxed command
  // fails with "execvp codex-linux-sandbox: No such file or directory").
  if (!in.tmp_dir.empty()) env["TMPDIR"] = in.tmp_dir.string();
  if (!in.multica_config.empty()) env["MULTICA_TASK_CONFIG_ROOT"] = in.multica_config.string();
  env["NO_COLOR"] = "1";  // Codex colours its stderr even when it is not a terminal
  env[std::string(task_marker_variable)] = in.task_id;

  agent_env out;
  for (const auto& [k, v] : env)
    if (k.starts_with("MULTICA_")) out.toolbox[k] = v;
  for (const auto& [k, v] : env) out.entries.push_back(k + "=" + v);
  return out;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace multicad::agent
