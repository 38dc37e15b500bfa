// What the daemon's loopback endpoint (health_server.hpp) answers:
//   GET  /health, /status      the health document (the Multica CLI reads it)
//   GET  /metrics              Prometheus text
//   POST /local/wake           local mode: a task was submitted
//   POST /shutdown             a graceful stop, as the newer `multica daemon stop` asks
//   /api/...                   the agent's calls to the server (toolbox/forwarder.hpp)
//   POST /repo/checkout        the agent's repository checkouts (toolbox/repo_checkout.hpp)
// Endpoints that act refuse what a web page could send (local_request.hpp).
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

#include "daemon/core/local_request.hpp"
#include "daemon/core/services.hpp"

namespace multicad::toolbox {
class api_forwarder;
class repo_checkout_endpoint;
}  // namespace multicad::toolbox

namespace multicad::core {

struct local_routes {
  services& svc;
  std::string server_url;  // for /health; empty in local mode
  int port = 0;
  std::function<void()> local_wake;  // local mode only
  std::function<void()> shutdown;    // the first-signal drain
  toolbox::api_forwarder* api = nullptr;                 // server mode only
  toolbox::repo_checkout_endpoint* checkout = nullptr;  // server mode only
};

// Requires: `routes` outlives the call.
boost::asio::awaitable<local_answer> route(local_routes& routes, local_request r);

// metrics.listen faces the network: it answers GET /metrics and nothing
// else, so neither /health (paths, task ids) nor anything that acts is
// reachable from another machine.
boost::asio::awaitable<local_answer> metrics_only_route(services& svc, local_request r);

}  // namespace multicad::core
