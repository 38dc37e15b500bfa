#include "daemon/agent/task_mapping.hpp"

namespace multicad::agent {

execenv::task_context to_task_context(const proto::task& t) {
  execenv::task_context c;
  c.task_id = t.id;
  c.workspace_id = t.workspace_id;
  c.issue_id = t.issue_id;
  c.trigger_comment_id = t.trigger_comment_id;
  c.chat_session_id = t.chat_session_id;
  c.agent_id = t.agent_id;
  if (t.agent) {
    c.agent_name = t.agent->name;
    c.agent_instructions = t.agent->instructions;
    for (const auto& s : t.agent->skills) {
      execenv::skill out{s.name, s.content, {}};
      for (const auto& f : s.files) out.files.push_back({f.path, f.content});
      c.skills.push_back(std::move(out));
    }
  }
  return c;
}

}  // namespace multicad::agent
