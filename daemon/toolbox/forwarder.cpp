#include "daemon/toolbox/forwarder.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "daemon/log/log.hpp"
#include "proto/server/agent_api.hpp"
#include "proto/server/types.hpp"

namespace multicad::toolbox {
namespace asio = boost::asio;
using core::local_answer;
namespace ps = proto::server;

namespace {

// The server's error shapes (spec agent-toolbox.md §3): user-auth failures
// are text/plain JSON-looking bodies; handler errors are JSON.
local_answer auth_failure(const std::string& message) {
  return {401, "text/plain; charset=utf-8", nlohmann::json{{"error", message}}.dump() + "\n", {}};
}

local_answer json_error(int status, const std::string& message) {
  return {status, "application/json", nlohmann::json{{"error", message}}.dump() + "\n", {}};
}

std::string bearer(const core::local_request& r) {
  auto h = r.header("authorization");
  return h.starts_with("Bearer ") ? h.substr(7) : std::string();
}

std::vector<std::pair<std::string, std::string>> task_headers(const task_grant& g) {
  std::vector<std::pair<std::string, std::string>> h{{"X-Workspace-ID", g.workspace_id}, {"X-Task-ID", g.task_id}};
  if (!g.agent_id.empty()) h.emplace_back("X-Agent-ID", g.agent_id);
  return h;
}

}  // namespace

const task_grant* authorized(const grants& g, const core::local_request& r) {
  auto capability = bearer(r);
  return capability.empty() ? nullptr : g.find(capability);
}

asio::awaitable<local_answer> api_forwarder::handle(core::local_request r) {
  if (r.header("authorization").empty()) co_return auth_failure("missing authorization");
  const task_grant* found = authorized(grants_, r);
  if (!found) co_return auth_failure("invalid token");
  const task_grant g = *found;  // copied: the task may end while the call is in flight
  if (core::is_cross_origin(r, port_)) co_return core::cross_origin_answer();
  auto call = ps::classify_agent_call(r.method, r.target);
  if (call.kind == ps::agent_call_kind::refused) {
    log::warn("agent API call refused", {{"task_id", g.task_id}, {"method", r.method}, {"path", r.path},
              {"reason", call.refusal}, {"hint", "an agent tried a call its multica commands never make; nothing was sent"}});
    co_return json_error(403, "multicad: " + r.method + " " + r.path + " is not open to agents: " + call.refusal);
  }
  for (const auto& ws : call.named_workspaces)
    if (ws != g.workspace_id) co_return json_error(403, "multicad: this task may only use its own workspace " + g.workspace_id);
  net::forward_request f{r.method, r.target, r.header("content-type"), std::move(r.body), task_headers(g), g.upstream_token};
  auto res = co_await client_.forward(std::move(f));
  if (!res) co_return json_error(502, "multicad could not reach the Multica server: " + res.error().to_string());
  log::debug("agent API call forwarded", {{"task_id", g.task_id}, {"method", r.method}, {"path", r.path},
                                          {"status", std::to_string(res->status)}});
  if (call.kind == ps::agent_call_kind::run_messages && res->status == 200 && call.task_id != g.task_id) {
    bool visible = co_await messages_in_workspace(res->body, g);
    if (!visible) co_return json_error(404, "task not found");
  }
  co_return local_answer{res->status, res->content_type.empty() ? "application/json" : res->content_type,
                         std::move(res->body), std::move(res->headers)};
}

// The owner's token sees every workspace of the owner; a task must see only
// its own. Another task's messages name their issue: it must be found in the
// task's workspace (one GET per distinct issue, usually one).
asio::awaitable<bool> api_forwarder::messages_in_workspace(const std::string& body, const task_grant& g) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_array()) co_return false;
  if (j.empty()) co_return true;  // nothing to show
  std::set<std::string> issues;
  for (const auto& m : j) {
    if (!m.is_object() || !m.contains("issue_id") || !m["issue_id"].is_string()) co_return false;
    issues.insert(m["issue_id"].get<std::string>());
  }
  for (const auto& issue : issues) {
    net::forward_request f{"GET", "/api/issues/" + ps::paths::segment(issue), {}, {}, task_headers(g), g.upstream_token};
    auto res = co_await client_.forward(std::move(f));
    if (!res || res->status != 200) co_return false;
  }
  co_return true;
}

}  // namespace multicad::toolbox
