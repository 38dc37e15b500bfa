// The Task object the server's claim returns (spec/server-api.md §5), in our
// types. Decoding checks types field by field and names the first bad one,
// so malformed server JSON becomes a clear error, never a crash. Pure; any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/decode_error.hpp"

namespace multicad::proto {

struct skill_file {
  std::string path;
  std::string content;
};

struct skill {
  std::string name;
  std::string content;
  std::vector<skill_file> files;
};

struct task_agent {
  std::string id;
  std::string name;
  std::string instructions;
  std::vector<skill> skills;
  std::map<std::string, std::string> custom_env;
  std::vector<std::string> custom_args;
  // spec agent-toolbox.md §11.4; empty when not set. Checked before Codex
  // starts (proto/codex/turn_settings.hpp), never trusted as they come.
  std::string model;
  std::string thinking_level;
  std::string service_tier;
};

struct repo {
  std::string url;
  std::string description;
};

struct task {
  std::string id;
  std::string agent_id;
  std::string runtime_id;
  std::string issue_id;      // "" for chat and autopilot run-only tasks
  std::string workspace_id;  // "" when the server could not resolve it
  std::string status;
  int priority = 0;
  std::optional<task_agent> agent;
  std::vector<repo> repos;
  std::string auth_token;  // a newer server's task-scoped token (mat_...); secret, never logged
  std::string prior_session_id;
  std::string prior_work_dir;
  std::string trigger_comment_id;
  std::string trigger_comment_content;
  std::string chat_session_id;
  std::string chat_message;
  std::string created_at;
  std::string dispatched_at;  // RFC 3339; empty or null when not dispatched
  // Non-empty when an id of the task other than its own (workspace, issue,
  // agent, runtime, chat, comment) is not UUID-shaped: that id is cleared and
  // the task must be failed, not run. ("task.issue_id: not a UUID")
  std::string invalid;
};

// Decodes a Task object from JSON text. The task's own id must be
// UUID-shaped (proto/ids.hpp): a task that cannot be addressed safely is an
// error, not a task.
decode_result<task> decode_task(std::string_view json);

}  // namespace multicad::proto
