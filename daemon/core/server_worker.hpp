// Server mode: registers one runtime per usable agent in every workspace
// the token can see, keeps them alive, claims tasks while a slot is free,
// and runs each through run_task with the server channel.
//   start-up   list workspaces (retried until the server answers), register each
//   sync       every 30 s: register new workspaces, forget vanished ones
//   heartbeat  every heartbeat_interval: one beat per runtime; pending ping
//              and update requests are handled; a runtime the server lost
//              is registered again
//   poll       while tasks < max_concurrent_tasks: one batch claim for every
//              runtime up to the free slots (agent-toolbox.md §11.1); a server
//              that answers it 404 is claimed from per runtime, round robin
//   push       the daemon WebSocket (server_worker_push.cpp), where the server
//              has one: wake-ups claim at once, heartbeats travel over it and
//              polling slows to push_poll_interval; without it, the above as is;
//              claims go over its tasks.claim RPC once an ack said rpc-v1, and
//              none at all for a while after an RPC whose outcome is unknown
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/core/gc.hpp"
#include "daemon/core/outbox_delivery.hpp"
#include "daemon/core/server_channel.hpp"
#include "daemon/core/services.hpp"
#include "daemon/core/task_group.hpp"
#include "daemon/toolbox/grants.hpp"
#include "daemon/net/server_client.hpp"
#include "proto/server/claim_gate.hpp"
#include "proto/server/push.hpp"

namespace multicad::net {
class ws_link;
}

namespace multicad::core {

// While the daemon WebSocket is up, polling is only the safety net (§11.1).
inline constexpr std::chrono::seconds push_poll_interval{30};

// A sleep that another coroutine can cut short. A poke while nobody sleeps
// is kept, so the next sleep returns at once: a wake-up is never lost.
struct wakeup {
  explicit wakeup(boost::asio::io_context& io) : timer(io, boost::asio::steady_timer::time_point::max()) {}
  void poke() { pending = true; timer.cancel(); }
  boost::asio::steady_timer timer;
  bool pending = false;
};

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
  // One claim round; how many tasks it claimed. claim_batch answers
  // nullopt when the server has no batch claim (then legacy_claim_ is set).
  boost::asio::awaitable<std::optional<int>> claim_batch(const std::vector<std::string>& ids, int free_slots);
  boost::asio::awaitable<int> claim_each(const std::vector<std::string>& ids, std::size_t& next);
  void accept_claimed(proto::task t, const std::string& runtime_id);
  void claim_failed(const net::api_error& e, const std::vector<std::string>& ids);
  // The claim over the WebSocket's RPC: how many tasks it claimed (0 when
  // its outcome is unknown: claiming then pauses), or nullopt when the
  // server answered it with an error and this round claims over HTTP.
  boost::asio::awaitable<std::optional<int>> claim_rpc(std::shared_ptr<net::ws_link> link,
                                                       const std::vector<std::string>& ids, int free_slots);
  void rpc_lost(const std::string& request_id, const std::vector<std::string>& ids,
                std::chrono::system_clock::time_point sent, const std::string& why);
  void on_rpc_answer(proto::server::push::rpc_response answer);
  // The heartbeat's answer, over HTTP or the WebSocket: pings and updates.
  void on_beat_answer(const std::string& runtime_id, const proto::server::heartbeat_response& r);
  // The server lost the runtime: register its workspace again.
  boost::asio::awaitable<void> register_again(std::string workspace_id, std::string runtime_id, std::string why);
  std::string workspace_of(const std::string& runtime_id) const;
  std::vector<std::string> runtime_ids() const;  // sorted
  // server_worker_push.cpp: the daemon WebSocket.
  boost::asio::awaitable<void> push_loop();
  boost::asio::awaitable<std::string> serve_push(std::shared_ptr<net::ws_link> link, std::vector<std::string> ids);
  boost::asio::awaitable<void> push_heartbeats(std::shared_ptr<net::ws_link> link, std::vector<std::string> ids);
  void on_push(net::ws_link& link, const std::string& frame);
  void set_dispatch(const char* mode);
  std::chrono::nanoseconds poll_interval() const;
  boost::asio::awaitable<void> ping(std::string runtime_id, std::string ping_id);
  // After a claim whose answer was lost (the task may be dispatched to us
  // without our knowing): find it in the pending list and fail it so the
  // server can run it again, instead of leaving it stranded for 5 minutes.
  boost::asio::awaitable<void> recover_lost_claim(std::string runtime_id, std::chrono::system_clock::time_point sent);
  boost::asio::awaitable<void> refuse_update(std::string runtime_id, std::string update_id);
  boost::asio::awaitable<void> drain_and_deregister();
  boost::asio::awaitable<std::optional<issue_answer>> ask_issue(std::string issue_id);
  boost::asio::awaitable<bool> sleep(std::chrono::nanoseconds d);  // false once stopping
  boost::asio::awaitable<bool> sleep(std::chrono::nanoseconds d, wakeup& w);  // also ends on w.poke()
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
  boost::asio::steady_timer stop_timer_;  // sleepers wake on shutdown
  wakeup claim_wake_;  // poll loop: a slot freed, work is waiting, or the WebSocket changed
  wakeup beat_wake_;   // heartbeat loop: the WebSocket dropped, HTTP heartbeats resume now
  wakeup sync_wake_;   // workspace sync: the server said the workspaces changed
  bool legacy_claim_ = false;  // the batch claim answered 404: per runtime until the next WebSocket
  bool claim_failing_ = false;  // a claim failed; the next failure is not logged again
  // The daemon WebSocket, while one is open; acks_ says when each runtime's
  // heartbeat was last acknowledged over it (HTTP heartbeats wait meanwhile).
  std::weak_ptr<net::ws_link> push_link_;
  std::map<std::string, std::chrono::steady_clock::time_point> acks_;
  std::map<std::string, std::chrono::steady_clock::time_point> pushed_beats_;  // pending_work: 1 s apart
  bool runtimes_changed_ = false;  // the WebSocket closed to carry a new runtime set
  // Claims over the WebSocket's RPC: whether they may go (and how), and the
  // requests waiting for their answer (the timer ends the wait: answered,
  // timed out, or the link dropped).
  proto::server::claim_gate gate_;
  struct pending_rpc {
    explicit pending_rpc(boost::asio::any_io_executor ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    std::optional<proto::server::push::rpc_response> answer;
  };
  std::map<std::string, std::shared_ptr<pending_rpc>> rpcs_;
  std::uint64_t next_rpc_ = 0;
};

// "Codex (my-mac)", or the runtime_name setting when set.
std::string runtime_display_name(const config::settings& s, const std::string& provider);

}  // namespace multicad::core
