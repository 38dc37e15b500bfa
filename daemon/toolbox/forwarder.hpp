// The agent's way to the Multica server: requests to /api/... on the
// daemon's loopback endpoint, authenticated by the task's capability
// (grants.hpp), are passed on to the server only when they are calls of the
// agent-facing `multica` commands (proto/server/agent_api.hpp), with the
// task's workspace, agent and task forced into X-Workspace-ID, X-Agent-ID and
// X-Task-ID and the owner's token (or the task's own server token) added by
// the daemon. Answers come back as the server gave them, so a real Multica
// CLI works through it unchanged.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "daemon/core/local_request.hpp"
#include "daemon/net/server_client.hpp"
#include "daemon/toolbox/grants.hpp"

namespace multicad::toolbox {

class api_forwarder {
 public:
  // Requires: g and client outlive the forwarder. `port` is the endpoint's own.
  api_forwarder(grants& g, net::server_client& client, int port) : grants_(g), client_(client), port_(port) {}

  // Answers one request whose path starts with /api/.
  boost::asio::awaitable<core::local_answer> handle(core::local_request r);

 private:
  // A run-messages answer of another task: shown only when its issue is in the task's workspace.
  boost::asio::awaitable<bool> messages_in_workspace(const std::string& body, const task_grant& g);

  grants& grants_;
  net::server_client& client_;
  int port_;
};

// The task's grant for a request's "Authorization: Bearer <capability>", or nullptr.
const task_grant* authorized(const grants& g, const core::local_request& r);

}  // namespace multicad::toolbox
