#include "daemon/core/local_routes.hpp"

#include <nlohmann/json.hpp>

#include "daemon/core/health_document.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/outbox.hpp"
#include "daemon/toolbox/forwarder.hpp"
#include "daemon/toolbox/repo_checkout.hpp"

namespace multicad::core {
namespace asio = boost::asio;

namespace {

local_answer text(int status, const std::string& body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {status, "text/plain; charset=utf-8", body + "\n", std::move(headers)};
}

local_answer metrics_answer(services& svc) {
  store::outbox outbox(svc.db);
  auto depth = outbox.depth();
  svc.stats.version_detections = svc.versions.probes();
  return {200, "text/plain; version=0.0.4; charset=utf-8", svc.stats.render(depth ? depth->items : -1), {}};
}

local_answer wake_answer(local_routes& routes, const local_request& r) {
  if (r.method != "POST") return text(405, "method not allowed", {{"Allow", "POST"}});
  if (is_cross_origin(r, routes.port) || !is_non_simple(r)) return cross_origin_answer();
  // A daemon that lost its store would never see the task the caller just stored.
  if (!routes.svc.store_problem.empty())
    return {503, "application/json", nlohmann::json{{"error", routes.svc.store_problem}}.dump() + "\n", {}};
  routes.local_wake();
  return {200, "application/json", "{\"status\":\"ok\"}\n", {}};
}

// The newer Multica CLI's `daemon stop` posts here (spec agent-toolbox.md
// §9.4); it sends no body, so only the browser markers are refused.
local_answer shutdown_answer(local_routes& routes, const local_request& r) {
  if (r.method != "POST") return text(405, "method not allowed", {{"Allow", "POST"}});
  if (is_cross_origin(r, routes.port)) return cross_origin_answer();
  log::info("stop requested on the local endpoint; draining as for SIGTERM", {{"path", r.path}});
  routes.shutdown();
  return {200, "application/json", "{\"status\":\"shutting down\"}\n", {}};
}

}  // namespace

asio::awaitable<local_answer> route(local_routes& routes, local_request r) {
  auto& svc = routes.svc;
  if (r.path == "/health" || r.path == "/status") co_return local_answer{200, "application/json", health_json(svc, routes.server_url), {}};
  if (r.path == "/metrics") co_return metrics_answer(svc);
  if (r.path == "/local/wake" && routes.local_wake) co_return wake_answer(routes, r);
  if (r.path == "/shutdown" && routes.shutdown) co_return shutdown_answer(routes, r);
  if (r.path.starts_with("/api/") && routes.api) co_return co_await routes.api->handle(std::move(r));
  if (r.path == "/repo/checkout" && routes.checkout) co_return co_await routes.checkout->handle(std::move(r));
  co_return text(404, "404 page not found");
}

asio::awaitable<local_answer> metrics_only_route(services& svc, local_request r) {
  if (r.path != "/metrics") co_return text(404, "404 page not found");
  if (r.method != "GET") co_return text(405, "method not allowed", {{"Allow", "GET"}});
  co_return metrics_answer(svc);
}

}  // namespace multicad::core
