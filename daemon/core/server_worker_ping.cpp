// A ping from the web app ("is this runtime alive?"): run the agent with a
// one-word prompt in a throwaway environment, within 60 s, and report the
// answer or the error with the time it took (spec/server-api.md §8.2).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/agent/agent_env.hpp"
#include "daemon/agent/codex_run.hpp"
#include "daemon/core/on_pool.hpp"
#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"
#include "daemon/version.hpp"
#include "execenv/environment.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr auto ping_limit = 60s;
constexpr const char* ping_prompt = "Respond with exactly one word: pong";
}  // namespace

asio::awaitable<void> server_worker::ping(std::string runtime_id, std::string ping_id) {
  auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };
  std::string workspace_id;
  for (const auto& [id, w] : svc_.workspaces)
    for (const auto& rt : w.runtimes)
      if (rt.id == runtime_id) workspace_id = id;
  log::info("ping requested", {{"runtime_id", runtime_id}, {"ping_id", ping_id}});

  execenv::prepare_request req;
  req.workspaces_root = svc_.settings.workspaces_root / ".ping";
  req.shared_codex_home = svc_.shared_codex_home;
  req.codex_version = svc_.codex.version ? svc_.codex.version->to_string() : "";
  req.policy = execenv::choose_sandbox_policy(svc_.settings.codex, execenv::host_platform(), req.codex_version);
  req.hygiene = {svc_.settings.codex.multi_agent, svc_.settings.codex.memory};
  req.task.workspace_id = workspace_id.empty() ? "unknown" : workspace_id;
  req.task.task_id = "ping" + ping_id;
  auto prepare = [req] { return execenv::prepare_environment(req); };
  auto env = co_await on_pool(svc_.pool, prepare);
  proto::server::ping_result_request result;
  if (!env) {
    result = {"failed", "", "environment preparation failed: " + env.error().to_string(), elapsed_ms()};
  } else {
    agent::agent_env_inputs in;
    in.inherited = agent::current_environment();
    in.task_id = req.task.task_id;
    in.workspace_id = req.task.workspace_id;
    in.codex_home = env->layout.codex_home;
    in.tmp_dir = env->layout.tmp;
    in.agent_bin = svc_.agent_bin;
    agent::codex_run_options o;
    o.spawn = {svc_.codex.path, agent::codex_args({}), agent::build_agent_env(in).entries, env->layout.workdir};
    o.task_id = req.task.task_id;
    o.session.client_version = multicad_version;
    o.session.cwd = env->layout.workdir.string();
    o.session.model = svc_.settings.codex_agent.model;
    o.session.prompt = ping_prompt;
    o.session.sandbox = {std::string(execenv::to_string(req.policy.mode)), req.policy.network_access,
                         env->codex_config.string()};
    auto run = std::make_shared<agent::codex_run>(svc_.io.get_executor(), o, [](const auto&) {}, nullptr);
    asio::steady_timer limit(svc_.io, ping_limit);
    limit.async_wait([weak = std::weak_ptr<agent::codex_run>(run)](boost::system::error_code ec) {
      if (auto r = weak.lock(); r && !ec) r->stop("ping timed out after 60s");
    });
    auto r = co_await run->run();
    limit.cancel();
    if (r.outcome.result == proto::codex::outcome::status::completed)
      result = {"completed", r.outcome.final_output, "", elapsed_ms()};
    else
      result = {"failed", "", r.outcome.error.empty() ? "codex did not answer" : r.outcome.error, elapsed_ms()};
    auto root = env->layout.root;
    auto remove = [root] { std::error_code ec; std::filesystem::remove_all(root, ec); return 0; };
    co_await on_pool(svc_.pool, remove);
  }
  auto sent = co_await client_.ping_result(runtime_id, ping_id, result);
  if (!sent) note_error(sent.error());
  log::info("ping answered", {{"runtime_id", runtime_id}, {"status", result.status},
                              {"duration_ms", std::to_string(result.duration_ms)}});
}

}  // namespace multicad::core
