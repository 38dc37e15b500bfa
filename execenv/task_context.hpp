// What execenv needs to know about a task to write its context files and
// skills: the parts of the server's claimed task (spec/server-api.md §5) in
// execenv's own terms. The daemon converts the wire type into this. Plain data.
#pragma once

#include <string>
#include <vector>

namespace multicad::execenv {

struct skill_file {
  std::string path;  // relative, '/'-separated; validated before writing
  std::string content;
};

struct skill {
  std::string name;
  std::string content;  // SKILL.md body
  std::vector<skill_file> files;
};

struct repo_ref {
  std::string url;
  std::string description;
};

// How the agent reaches Multica from its commands (docs/agent-toolbox.md).
enum class toolbox_access {
  none,         // local mode: no server behind `multica`
  available,    // server mode: `multica` works through the daemon's endpoint
  unreachable,  // server mode, but the sandbox has no network (codex.network_access = false)
};

struct task_context {
  std::string task_id;
  std::string workspace_id;
  std::string issue_id;              // empty for chat tasks
  std::string trigger_comment_id;    // set for comment-triggered tasks
  std::string chat_session_id;       // set for chat tasks
  std::string agent_id;
  std::string agent_name;
  std::string agent_instructions;
  std::vector<skill> skills;
  std::vector<repo_ref> repos;  // the task's, else the workspace's repositories
  toolbox_access toolbox = toolbox_access::none;
  std::string multica_path;     // the absolute path of the agent's `multica`
};

}  // namespace multicad::execenv
