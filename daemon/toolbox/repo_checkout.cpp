#include "daemon/toolbox/repo_checkout.hpp"

#include <nlohmann/json.hpp>

#include "daemon/core/on_pool.hpp"
#include "daemon/log/log.hpp"
#include "daemon/toolbox/forwarder.hpp"
#include "daemon/toolbox/git_checkout.hpp"
#include "execenv/path_guard.hpp"
#include "execenv/repo_layout.hpp"

namespace multicad::toolbox {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using core::local_answer;

namespace {

// Each git command may take this long (a first clone of a large repository).
constexpr auto git_time_limit = std::chrono::minutes(10);

local_answer text(int status, std::string body) { return {status, "text/plain; charset=utf-8", body + "\n", {}}; }

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool listed(const core::services& svc, const std::string& ws, const std::string& url) {
  auto it = svc.workspaces.find(ws);
  if (it == svc.workspaces.end()) return false;
  for (const auto& r : it->second.repos)
    if (trim(r.url) == url) return true;
  return false;
}

}  // namespace

repo_checkout_endpoint::repo_checkout_endpoint(core::services& svc, grants& g, net::server_client& client, int port)
    : svc_(svc), grants_(g), client_(client), port_(port) {}

repo_checkout_endpoint::~repo_checkout_endpoint() { git_pool_.join(); }

asio::awaitable<std::string> repo_checkout_endpoint::check_listed(std::string ws, std::string url) {
  if (!svc_.workspaces.count(ws)) co_return "workspace is not watched by this daemon: " + ws;
  if (listed(svc_, ws, url)) co_return std::string();
  auto fresh = co_await client_.workspace_repos(ws);
  if (!fresh) co_return "refresh workspace repos: " + fresh.error().to_string();
  auto it = svc_.workspaces.find(ws);  // looked up again: the map may have changed while waiting
  if (it == svc_.workspaces.end()) co_return "workspace is not watched by this daemon: " + ws;
  it->second.repos = fresh->repos;
  co_return listed(svc_, ws, url) ? std::string() : std::string("not listed");
}

asio::awaitable<local_answer> repo_checkout_endpoint::handle(core::local_request r) {
  if (r.method != "POST") co_return text(405, "method not allowed");
  if (core::is_cross_origin(r, port_)) co_return core::cross_origin_answer();
  const task_grant* found = authorized(grants_, r);
  if (!found) co_return text(401, "repo checkout requires an active task credential");
  const task_grant g = *found;
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_object()) co_return text(400, "invalid request body: not a JSON object");
  auto url = trim(field(body, "url"));
  if (url.empty()) co_return text(400, "url is required");
  if (field(body, "workspace_id").empty()) co_return text(400, "workspace_id is required");
  if (field(body, "workdir").empty()) co_return text(400, "workdir is required");
  auto task_id = field(body, "task_id");
  if (field(body, "workspace_id") != g.workspace_id || (!task_id.empty() && task_id != g.task_id))
    co_return text(403, "repo checkout task context does not match the active task");
  if (!execenv::is_within(g.workdir, fs::path(field(body, "workdir"))))
    co_return text(403, "repo checkout workdir is not owned by the active task");
  auto problem = co_await check_listed(g.workspace_id, url);
  if (problem == "not listed") co_return text(400, "repo is not configured for this workspace");
  if (!problem.empty()) co_return text(500, problem);

  // Always below the task's own workdir, whatever subfolder the agent asked
  // from: a folder of the agent's could be swapped for a link meanwhile.
  checkout_request req{svc_.settings.workspaces_root, g.workspace_id, url, g.workdir,
                       g.task_root / ".checkout", execenv::checkout_branch(g.agent_name, g.task_id)};
  auto work = [req] {
    service::process_runner git(git_time_limit, {"GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never"});
    return check_out(req, git);
  };
  auto done = co_await core::on_pool(git_pool_, work);
  if (!done) {
    log::warn("repository checkout failed", {{"task_id", g.task_id}, {"url", url}, {"error", done.error().message}});
    co_return text(500, done.error().message);
  }
  if (!done->fetch_warning.empty())
    log::warn("repository cache could not be fetched; the checkout has what the cache had",
              {{"task_id", g.task_id}, {"url", url}, {"error", done->fetch_warning},
               {"hint", "check the network and the daemon user's git credentials for this URL"}});
  log::info("repository checked out", {{"task_id", g.task_id}, {"url", url}, {"path", done->path.string()},
                                       {"branch", done->branch}, {"reused", done->existed ? "yes" : "no"}});
  co_return local_answer{200, "application/json",
                         nlohmann::json{{"path", done->path.string()}, {"branch_name", done->branch}}.dump() + "\n", {}};
}

}  // namespace multicad::toolbox
