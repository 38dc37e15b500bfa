#include "daemon/agent/task_mapping.hpp"

#include "daemon/log/log.hpp"
#include "execenv/task_settings.hpp"

namespace multicad::agent {

execenv::task_context to_task_context(const proto::task& t) {
  execenv::task_context c;
  c.task_id = t.id;
  c.workspace_id = t.workspace_id;
  c.issue_id = t.issue_id;
  c.trigger_comment_id = t.trigger_comment_id;
  c.chat_session_id = t.chat_session_id;
  c.agent_id = t.agent_id;
  for (const auto& r : t.repos) c.repos.push_back({r.url, r.description});
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

agent_settings check_agent_settings(const proto::task& t, const config::codex_settings& codex,
                                    const std::optional<proto::codex::release>& codex_release) {
  agent_settings out;
  if (!t.agent) return out;
  out.turn = {t.agent->model, t.agent->thinking_level, t.agent->service_tier};
  out.refusal = proto::codex::check_turn_settings(out.turn, codex_release);
  auto args = execenv::check_custom_args(t.agent->custom_args, codex.allow_task_config);
  if (!args.refused.empty() && out.refusal.empty()) out.refusal = execenv::refusal_text(args.refused);
  if (!args.dropped.empty()) {
    std::string dropped;
    for (const auto& d : args.dropped) dropped += (dropped.empty() ? "" : " ") + d;
    log::warn("agent custom_args dropped: they would change the protocol", {{"task_id", t.id}, {"dropped", dropped}});
  }
  out.codex_args = std::move(args.args);
  auto env = execenv::check_custom_env(t.agent->custom_env);
  for (const auto& r : env.refused)
    log::warn("agent custom_env key refused", {{"task_id", t.id}, {"key", r.name},
              {"reason", std::string(execenv::describe(r.why))},
              {"hint", "remove it from the agent's environment settings; the task runs without it"}});
  out.command_env = std::move(env.accepted);
  return out;
}

}  // namespace multicad::agent
