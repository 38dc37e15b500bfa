#include "daemon/core/task_inputs.hpp"

#include "config/duration.hpp"
#include "daemon/agent/agent_env.hpp"
#include "daemon/agent/prompt.hpp"
#include "daemon/core/on_pool.hpp"
#include "daemon/log/log.hpp"
#include "daemon/toolbox/agent_bin.hpp"
#include "daemon/version.hpp"
#include "execenv/gc_meta.hpp"
#include "execenv/repo_layout.hpp"

namespace multicad::core {
namespace asio = boost::asio;

proto::lifecycle::task_limits task_limits_for(const task_environment& env) {
  auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d); };
  proto::lifecycle::task_limits l;
  l.provider = env.provider;
  l.agent_timeout = ms(env.settings.agent_timeout);
  l.timeout_message = env.provider + " timed out after " + config::format_duration(env.settings.agent_timeout);
  l.cancel_reason = env.channel.cancel_reason();
  l.status_poll = env.status_poll;
  l.flush_interval = env.flush_interval;
  l.watchdogs = {ms(env.settings.agent_idle_watchdog), ms(env.settings.agent_tool_watchdog),
                 ms(env.settings.codex_semantic_timeout), ms(env.settings.codex_first_turn_timeout)};
  return l;
}

execenv::prepare_request prepare_request_for(task_environment& env, const proto::task& task,
                                             const std::string& codex_version) {
  execenv::prepare_request r;
  r.workspaces_root = env.settings.workspaces_root;
  r.provider = env.provider;
  r.shared_codex_home = env.shared_codex_home;
  r.codex_version = codex_version;
  r.policy = execenv::choose_sandbox_policy(env.settings.codex, execenv::host_platform(), r.codex_version);
  r.hygiene = {env.settings.codex.multi_agent, env.settings.codex.memory};
  r.task = agent::to_task_context(task);
  if (env.grants) {
    // The loopback endpoint is out of a sandbox without network.
    bool offline = r.policy.mode != execenv::sandbox_mode::danger_full_access && !r.policy.network_access;
    r.task.toolbox = offline ? execenv::toolbox_access::unreachable : execenv::toolbox_access::available;
    r.task.multica_path = (env.agent_bin / toolbox::multica_command_name).string();
    if (r.task.repos.empty() && env.workspace_repos) r.task.repos = env.workspace_repos(task.workspace_id);
  }
  // A folder GC is removing something from right now is not reused: the
  // task gets a fresh one (it loses the prior session, not its files).
  auto prior_workdir = std::filesystem::path(task.prior_work_dir).lexically_normal();
  if (!prior_workdir.has_filename()) prior_workdir = prior_workdir.parent_path();  // "…/workdir/"
  if (!task.prior_work_dir.empty() && !env.registry.gc_holds(prior_workdir.parent_path(), task.issue_id))
    r.prior_workdir = task.prior_work_dir;
  return r;
}

agent::codex_run_options run_options(task_environment& env, const proto::task& task,
                                     const execenv::prepared_environment& prepared,
                                     const execenv::prepare_request& request, agent::agent_settings checked,
                                     const std::string& capability, const task_overrides& over) {
  const auto& policy = request.policy;
  agent::agent_env_inputs in;
  in.inherited = agent::current_environment();
  // Server mode: the task's capability and the daemon's own endpoint, never
  // the owner's token or the server itself (toolbox/forwarder.hpp).
  in.token = capability;
  if (!capability.empty()) in.server_url = "http://127.0.0.1:" + std::to_string(env.settings.health_port);
  in.multica_config = prepared.layout.multica_config;
  in.daemon_port = env.settings.health_port;
  in.workspace_id = task.workspace_id;
  in.agent_name = task.agent ? task.agent->name : "";
  in.agent_id = task.agent_id;
  in.task_id = task.id;
  in.agent_bin = env.agent_bin;
  in.codex_home = prepared.layout.codex_home;
  in.tmp_dir = prepared.layout.tmp;
  agent::codex_run_options o;
  auto built = agent::build_agent_env(in);
  o.spawn = {env.codex_exe, agent::codex_args(checked.codex_args), std::move(built.entries), prepared.layout.workdir};
  if (!over.agent_cwd.empty()) o.spawn.cwd = over.agent_cwd;
  o.task_id = task.id;
  o.limits.provider = env.provider;
  o.limits.turn_end_grace = std::chrono::duration_cast<std::chrono::milliseconds>(env.settings.codex_turn_end_grace);
  o.session.client_name = "multicad";
  o.session.client_version = multicad_version;
  o.session.codex_version = request.codex_version;
  o.session.cwd = o.spawn.cwd.string();
  // The agent's own model wins over the daemon's default (spec §11.4).
  o.session.model = !over.model.empty()        ? over.model
                    : !checked.turn.model.empty() ? checked.turn.model
                                                  : env.settings.codex_agent.model;
  o.session.reasoning_effort = checked.turn.effort;
  o.session.service_tier = checked.turn.service_tier;
  const bool reachable = request.task.toolbox == execenv::toolbox_access::available;
  o.session.prompt = !over.prompt.empty() ? over.prompt
                                          : agent::build_prompt(task, reachable ? (env.agent_bin / toolbox::multica_command_name).string() : "");
  o.session.resume_thread_id = prepared.reused ? task.prior_session_id : "";
  o.session.sandbox = {std::string(execenv::to_string(policy.mode)), policy.network_access, prepared.codex_config.string()};
  o.session.approval_mode = env.settings.codex.approvals == config::approvals_choice::auto_accept
                                ? proto::codex::approvals::auto_accept
                                : proto::codex::approvals::never;
  o.session.command_env = std::move(checked.command_env);
  for (auto& [k, v] : built.toolbox) o.session.command_env[k] = std::move(v);  // the daemon's win
  return o;
}

asio::awaitable<boost::system::result<toolbox::checkout_result, toolbox::checkout_error>> check_out_repo(
    task_environment& env, const proto::task& task, const execenv::prepared_environment& prepared, std::string repo) {
  toolbox::checkout_request req{env.settings.workspaces_root, task.workspace_id, repo, prepared.layout.workdir,
                                prepared.layout.root / ".checkout", execenv::checkout_branch("local", task.id)};
  auto work = [req] {
    service::process_runner git(std::chrono::minutes(10), {"GIT_TERMINAL_PROMPT=0"});
    return toolbox::check_out(req, git);
  };
  co_return co_await on_pool(env.pool, work);
}

asio::awaitable<void> write_gc_meta(task_environment& env, const proto::task& task, const std::filesystem::path& root) {
  execenv::gc_meta meta{task.issue_id, task.workspace_id, std::chrono::system_clock::now()};
  auto write = [root, meta] { return execenv::write_gc_meta(root, meta); };
  auto ok = co_await on_pool(env.pool, write);
  if (!ok)
    log::warn("cannot write GC metadata; GC will treat the directory as an orphan",
              {{"task_id", task.id}, {"error", ok.error().to_string()}});
}

}  // namespace multicad::core
