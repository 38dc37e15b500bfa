// The daemon WebSocket of server mode (agent-toolbox.md §11.1). The push
// loop keeps one connection open for the registered runtimes; while it is
// up, the server's wake-ups claim at once, heartbeats travel over it (the
// HTTP ones wait while its acks are fresh) and the poll loop slows to
// push_poll_interval. A server without it (404, a refused upgrade) is asked
// again on the reconnect schedule; meanwhile everything works as before.
#include <boost/asio/this_coro.hpp>

#include <random>

#include "daemon/async/guarded.hpp"
#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/ws_link.hpp"
#include "daemon/version.hpp"
#include "execenv/sandbox_policy.hpp"
#include "proto/server/push.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace push = proto::server::push;
using std::chrono::steady_clock;

namespace {

std::vector<std::pair<std::string, std::string>> client_headers() {
  return {{"X-Client-Platform", "multicad"},
          {"X-Client-Version", multicad_version},
          {"X-Client-OS", std::string(execenv::to_string(execenv::host_platform()))},
          {"X-Client-Capabilities", "rpc-v1"}};
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

}  // namespace

void server_worker::set_dispatch(const char* mode) {
  svc_.stats.dispatch = mode;
  svc_.stats.dispatch_since = std::chrono::system_clock::now();
}

asio::awaitable<void> server_worker::push_loop() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int failures = 0;
  bool told = false;  // a streak of failed connects is logged once
  while (!svc_.stopping) {
    auto ids = runtime_ids();
    if (ids.empty()) {
      bool go_on = co_await sleep(svc_.settings.heartbeat_interval);
      if (!go_on) break;
      continue;
    }
    auto link = co_await client_.open_push(ids, client_headers());
    if (link) {
      told = false;
      const auto opened = steady_clock::now();
      auto why = co_await serve_push(std::shared_ptr<net::ws_link>(std::move(*link)), ids);
      if (svc_.stopping) break;
      const bool stable = steady_clock::now() - opened >= push::stable_connection;
      failures = runtimes_changed_ ? 0 : stable ? 1 : failures + 1;
      if (runtimes_changed_) {
        runtimes_changed_ = false;
        log::info("the runtimes changed; reconnecting the daemon WebSocket", {{"runtimes", joined(runtime_ids())}});
        continue;
      }
      auto wait = push::reconnect_delay(failures, unit(rng));
      log::warn("the daemon WebSocket dropped; polling until it reconnects",
                {{"error", why}, {"server_url", client_.base_url()},
                 {"retry_in", std::to_string(wait.count()) + "ms"}});
      bool go_on = co_await sleep(wait);
      if (!go_on) break;
      continue;
    }
    ++failures;
    auto wait = push::reconnect_delay(failures, unit(rng));
    const auto& e = link.error();
    if (!told) {
      // A seed-era server has no WebSocket (404), a newer one may refuse it
      // (503): both are normal, and polling serves as it always did.
      if (e.status != 0)
        log::info("the server offers no daemon WebSocket; tasks arrive by polling",
                  {{"error", e.what}, {"server_url", client_.base_url()}});
      else
        log::warn("cannot open the daemon WebSocket; tasks arrive by polling meanwhile",
                  {{"error", e.what}, {"server_url", client_.base_url()},
                   {"hint", "check that proxies between here and the server pass WebSocket upgrades"}});
      told = true;
    }
    bool go_on = co_await sleep(wait);
    if (!go_on) break;
  }
}

asio::awaitable<std::string> server_worker::serve_push(std::shared_ptr<net::ws_link> link, std::vector<std::string> ids) {
  push_link_ = link;
  gate_.connected();
  legacy_claim_ = false;  // §11.1: the per-runtime fallback lasts until the next connection
  set_dispatch("push");
  ++svc_.stats.push_connects;
  log::info("daemon WebSocket connected; tasks arrive by push", {{"server_url", client_.base_url()},
                                                                 {"runtimes", joined(ids)}});
  for (const auto& id : ids) link->send(push::encode_heartbeat(id));
  claim_wake_.poke();  // on connect: claim at once, work may have queued unannounced
  async::spawn_guarded(co_await asio::this_coro::executor, "WebSocket heartbeats", push_heartbeats(link, ids));
  std::string why;
  for (;;) {
    auto frame = co_await link->read();
    if (!frame) {
      why = frame.error().what;
      break;
    }
    on_push(*link, *frame);
  }
  link->close();
  push_link_.reset();
  gate_.disconnected();
  for (auto& [id, rpc] : rpcs_) rpc->timer.cancel();  // unanswered: their outcome is unknown
  acks_.clear();
  set_dispatch("poll");
  beat_wake_.poke();   // HTTP heartbeats resume at once
  claim_wake_.poke();  // and polling at its own pace, starting now
  co_return why;
}

asio::awaitable<void> server_worker::push_heartbeats(std::shared_ptr<net::ws_link> link, std::vector<std::string> ids) {
  for (;;) {
    bool go_on = co_await sleep(svc_.settings.heartbeat_interval);
    if (!go_on || !link->is_open()) co_return;
    if (runtime_ids() != ids) {
      // §11.1: a new runtime set is a new connection (its query names them).
      runtimes_changed_ = true;
      link->close();
      co_return;
    }
    for (const auto& id : ids) link->send(push::encode_heartbeat(id));
  }
}

void server_worker::on_push(net::ws_link& link, const std::string& frame) {
  auto m = push::decode_message(frame);
  if (!m) {
    log::warn("the server sent a WebSocket message the daemon cannot read; ignoring it",
              {{"error", m.error().message}, {"server_url", client_.base_url()}});
    return;
  }
  if (auto* a = std::get_if<push::task_available>(&*m)) {
    log::debug("work is waiting; claiming now", {{"runtime_id", a->runtime_id}, {"task_id", a->task_id}});
    claim_wake_.poke();
  } else if (auto* p = std::get_if<push::pending_work>(&*m)) {
    auto& last = pushed_beats_[p->runtime_id];
    if (steady_clock::now() - last >= std::chrono::seconds(1)) {  // §11.1: at most one a second
      last = steady_clock::now();
      link.send(push::encode_heartbeat(p->runtime_id));
    }
  } else if (auto* ack = std::get_if<push::heartbeat_ack>(&*m)) {
    note_ok();
    if (ack->rpc() && !gate_.rpc_advertised())
      log::info("the server takes claims over the daemon WebSocket (rpc-v1)", {{"server_url", client_.base_url()}});
    gate_.advertised(ack->rpc());
    const auto workspace_id = workspace_of(ack->runtime_id);
    if (workspace_id.empty()) return;  // a runtime we no longer hold
    if (ack->runtime_gone) {
      acks_.erase(ack->runtime_id);
      async::spawn_guarded(svc_.io.get_executor(), "registering a lost runtime again",
                           register_again(workspace_id, ack->runtime_id, "the WebSocket's heartbeat ack said runtime_gone"));
      return;
    }
    acks_[ack->runtime_id] = steady_clock::now();
    on_beat_answer(ack->runtime_id, ack->pending);
  } else if (std::holds_alternative<push::workspaces_changed>(*m)) {
    sync_wake_.poke();
  } else if (auto* r = std::get_if<push::rpc_response>(&*m)) {
    on_rpc_answer(std::move(*r));
  } else if (auto* c = std::get_if<push::runtime_profiles_changed>(&*m)) {
    // Runtime profiles are the server's side of what runs where; what the
    // daemon holds of them is its workspaces and their runtimes: sync those.
    log::debug("the server says a workspace's runtime profiles changed; syncing workspaces",
               {{"workspace_id", c->workspace_id}});
    sync_wake_.poke();
  }
  // Types newer than us need nothing.
}

}  // namespace multicad::core
