// Server mode: registers one runtime per usable agent in every workspace
// the token can see, keeps them alive, claims tasks while a slot is free,
// and runs each through run_task with the server channel.
//   start-up   list workspaces (retried until the server answers), register each
//   sync       every 30 s: register new workspaces, forget vanished ones
//   heartbeat  every heartbeat_interval: one beat per runtime; pending ping
//              and update requests are handled; a runtime the server lost
//              is registered again
//   poll       round-robin claim while tasks < max_concurrent_tasks
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>

#include "daemon/core/gc.hpp"
#include "daemon/core/outbox_delivery.hpp"
#include "daemon/core/server_channel.hpp"
#include "daemon/core/services.hpp"
#include "daemon/core/task_group.hpp"
#include "daemon/toolbox/grants.hpp"
#include "daemon/net/server_client.hpp"

namespace multicad::core {

class server_worker {
 public:
  // Requires: svc and client outlive the worker.
  // Requires: grants outlives the worker (it lends tasks their capabilities).
  server_worker(services& svc, net::server_client& client, toolbox::grants& grants);

  // Registers, then runs every loop until shutdown() has drained the tasks.
  // Returns the process exit status.
  boost::asio::awaitable<int> run();
  // First SIGTERM/SIGINT: stop claiming, let tasks finish within
  // shutdown_grace, stop the rest, deliver what can be, deregister.
  void shutdown();

  outbox_delivery& delivery() { return delivery_; }
  task_channel& channel() { return channel_; }

 private:
  boost::asio::awaitable<bool> register_workspace(const proto::server::workspace& w);
  boost::asio::awaitable<bool> initial_registration();
  boost::asio::awaitable<void> sync_loop();
  boost::asio::awaitable<void> heartbeat_loop();
  boost::asio::awaitable<void> poll_loop();
  boost::asio::awaitable<void> ping(std::string runtime_id, std::string ping_id);
  // After a claim whose answer was lost (the task may be dispatched to us
  // without our knowing): find it in the pending list and fail it so the
  // server can run it again, instead of leaving it stranded for 5 minutes.
  boost::asio::awaitable<void> recover_lost_claim(std::string runtime_id, std::chrono::system_clock::time_point sent);
  boost::asio::awaitable<void> refuse_update(std::string runtime_id, std::string update_id);
  boost::asio::awaitable<void> drain_and_deregister();
  boost::asio::awaitable<std::optional<issue_answer>> ask_issue(std::string issue_id);
  boost::asio::awaitable<bool> sleep(std::chrono::nanoseconds d);  // false once stopping
  void note_ok();
  void note_error(const net::api_error& e);
  void start_task(proto::task t);

  services& svc_;
  net::server_client& client_;
  outbox_delivery delivery_;
  server_channel channel_;
  store::journal journal_;
  task_environment task_env_;
  task_group tasks_;
  boost::asio::steady_timer wake_;  // poll loop: a slot freed or shutdown began
  boost::asio::steady_timer stop_timer_;  // sleepers wake on shutdown
};

// "Codex (my-mac)", or the runtime_name setting when set.
std::string runtime_display_name(const config::settings& s, const std::string& provider);

}  // namespace multicad::core
