// POST /repo/checkout on the daemon's loopback endpoint: what `multica repo
// checkout <url>` asks for (spec agent-toolbox.md §7.2, with the newer
// upstream's rules): the task's capability in Authorization, a workspace and
// task that are the capability's, a workdir inside the task's, and a URL in
// the workspace's repository list (fetched again from the server on a miss,
// as the reference daemon does). The checkout itself runs on a pool of its
// own (git_checkout.hpp) so a slow clone holds up neither the io_context nor
// task preparation.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "daemon/core/local_request.hpp"
#include "daemon/core/services.hpp"
#include "daemon/net/server_client.hpp"
#include "daemon/toolbox/grants.hpp"

namespace multicad::toolbox {

class repo_checkout_endpoint {
 public:
  // Requires: svc, g and client outlive the endpoint.
  repo_checkout_endpoint(core::services& svc, grants& g, net::server_client& client, int port);
  ~repo_checkout_endpoint();

  boost::asio::awaitable<core::local_answer> handle(core::local_request r);

 private:
  // The workspace's list has `url` (refreshed from the server when it does not).
  boost::asio::awaitable<std::string> check_listed(std::string workspace_id, std::string url);

  core::services& svc_;
  grants& grants_;
  net::server_client& client_;
  int port_;
  boost::asio::thread_pool git_pool_{4};  // clones and fetches; four repositories at once
};

}  // namespace multicad::toolbox
