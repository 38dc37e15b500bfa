// The user-API calls an agent may make through the daemon: exactly the
// requests of the agent-facing `multica` commands (spec agent-toolbox.md §5),
// and nothing else the owner's token could do (no other workspace, no
// tokens, no runtimes, no settings). The daemon forwards an allowed call with
// the task's workspace, agent and task forced into its headers
// (daemon/toolbox/forwarder.hpp). Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace multicad::proto::server {

enum class agent_call_kind {
  refused,
  workspace_scoped,  // the server picks the workspace from X-Workspace-ID, which the daemon sets
  workspace_path,    // /api/workspaces/{id}[/members]: the id in the path must be the task's
  run_messages,      // /api/daemon/tasks/{id}/messages: the task's workspace is checked on the answer
};

struct agent_call {
  agent_call_kind kind = agent_call_kind::refused;
  std::string refusal;  // why, when refused (for the 403 body)
  // Workspace ids the request names (path, ?workspace_id=): each must be the task's.
  std::vector<std::string> named_workspaces;
  std::string task_id;  // run_messages: the task whose messages are asked for
};

// `target` is the request target as sent ("/api/issues?workspace_id=…").
// A query that chooses a workspace by slug is refused (the server would
// prefer it over X-Workspace-ID); path ids must be single plain segments.
agent_call classify_agent_call(std::string_view method, std::string_view target);

}  // namespace multicad::proto::server
