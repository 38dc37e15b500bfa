// The poll loop of server mode: claims while a slot is free. One batch
// claim asks for every runtime's work up to the free slots (agent-toolbox.md
// §11.1), over the WebSocket's tasks.claim RPC when the server offers it,
// else over HTTP; a server that answers the HTTP one 404 predates it, and is
// claimed from per runtime, round robin, as before, until the next
// WebSocket connection. A claim whose answer may be lost is recovered
// (recover_lost_claim); after an RPC whose outcome is unknown, nothing is
// claimed for claim_gate::uncertain_window.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "daemon/async/guarded.hpp"
#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/ws_link.hpp"
#include "execenv/gc_meta.hpp"
#include "proto/server/codec.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace push = proto::server::push;
using proto::server::claim_gate;
using namespace std::chrono_literals;
// The answer's way back over the link, beyond the RPC's own timeout_ms.
constexpr auto rpc_transit = std::chrono::seconds(1);
// How long a task a lost claim dispatched may stay dispatched before it counts as stranded.
constexpr auto lost_claim_grace = std::chrono::seconds(10);

namespace {

// A claim that failed while connecting cannot have dispatched a task; one
// lost after it reached the server may have (and an answer that does not
// decode may hide one), so look for it on the server.
bool may_have_dispatched(const net::api_error& e) {
  return e.kind != net::failure_kind::http_status && e.may_have_reached_server;
}

}  // namespace

std::chrono::nanoseconds server_worker::poll_interval() const {
  if (push_link_.expired()) return svc_.settings.poll_interval;
  return std::max<std::chrono::nanoseconds>(svc_.settings.poll_interval, push_poll_interval);
}

asio::awaitable<void> server_worker::poll_loop() {
  std::size_t next = 0;
  while (!svc_.stopping) {
    const auto max = static_cast<std::size_t>(svc_.settings.max_concurrent_tasks);
    if (svc_.tasks.size() >= max) {
      (void)co_await sleep(std::chrono::hours(1), claim_wake_);  // poked when a task ends
      continue;
    }
    if (auto wait = gate_.suppressed_for(std::chrono::steady_clock::now())) {
      // Not cut short by wake-ups: a claim now could take what the lost RPC took.
      bool go_on = co_await sleep(*wait);
      if (!go_on) break;
      if (!gate_.suppressed_for(std::chrono::steady_clock::now()))
        log::info("claiming resumes after the pause for a claim with an unknown outcome");
      continue;
    }
    claim_wake_.pending = false;  // this round answers every wake-up so far
    const auto ids = runtime_ids();
    const int free_slots = static_cast<int>(max - svc_.tasks.size());
    int claimed = 0;
    std::optional<int> by_rpc;
    auto link = push_link_.lock();
    if (!ids.empty() && link && link->is_open() && gate_.use_rpc()) by_rpc = co_await claim_rpc(link, ids, free_slots);
    link.reset();
    if (by_rpc) claimed = *by_rpc;
    if (!by_rpc && !ids.empty() && !legacy_claim_) {
      auto n = co_await claim_batch(ids, free_slots);
      if (n) claimed = *n;
    }
    if (!ids.empty() && legacy_claim_) claimed = co_await claim_each(ids, next);
    // After a claim, look again at once: more work may be queued.
    if (claimed > 0) continue;
    bool go_on = co_await sleep(poll_interval(), claim_wake_);
    if (!go_on) break;
  }
}

asio::awaitable<std::optional<int>> server_worker::claim_batch(const std::vector<std::string>& ids, int free_slots) {
  proto::server::batch_claim_request body{svc_.settings.daemon_id, ids, free_slots};
  const auto started = std::chrono::steady_clock::now();
  auto r = co_await client_.claim_batch(body);
  svc_.stats.claim_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!r && r.error().kind == net::failure_kind::http_status && r.error().status == 404) {
    legacy_claim_ = true;
    log::info("the server has no batch claim; claiming per runtime", {{"server_url", client_.base_url()}});
    co_return std::nullopt;
  }
  ++svc_.stats.claims[!r ? "error" : r->tasks.empty() ? "empty" : "task"];
  if (!r) {
    claim_failed(r.error(), ids);
    co_return 0;
  }
  note_ok();
  claim_failing_ = false;
  for (auto& t : r->tasks) {
    auto runtime_id = t.runtime_id;
    accept_claimed(std::move(t), runtime_id);
  }
  co_return static_cast<int>(r->tasks.size());
}

asio::awaitable<std::optional<int>> server_worker::claim_rpc(std::shared_ptr<net::ws_link> link,
                                                           const std::vector<std::string>& ids, int free_slots) {
  proto::server::batch_claim_request body{svc_.settings.daemon_id, ids, free_slots};
  const auto request_id = "claim-" + std::to_string(++next_rpc_);
  auto pending = std::make_shared<pending_rpc>(svc_.io.get_executor());
  pending->timer.expires_after(claim_gate::rpc_timeout + rpc_transit);
  rpcs_[request_id] = pending;
  const auto started = std::chrono::steady_clock::now();
  const auto sent = std::chrono::system_clock::now();
  link->send(push::encode_claim_rpc(request_id, body, claim_gate::rpc_timeout));
  link.reset();  // the link may die while we wait; serve_push then ends the wait
  co_await pending->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  rpcs_.erase(request_id);
  svc_.stats.claim_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!pending->answer) {
    rpc_lost(request_id, ids, sent, "no answer before the link dropped or the RPC's time ran out");
    co_return 0;
  }
  const auto& a = *pending->answer;
  if (a.status < 200 || a.status >= 300) {
    // The server answered: nothing was claimed. An unknown method stays unknown on this link.
    if (a.status == 404) gate_.refused();
    log::info("the server refused a claim over the WebSocket; claiming over HTTP",
              {{"status", std::to_string(a.status)}, {"error", a.error}, {"server_url", client_.base_url()}});
    co_return std::nullopt;
  }
  auto decoded = proto::server::decode_batch_claim(a.body_json);
  if (!decoded) {
    // An answer we cannot read may hide tasks it claimed for us.
    rpc_lost(request_id, ids, sent, "the answer does not decode: " + decoded.error().message);
    co_return 0;
  }
  note_ok();
  claim_failing_ = false;
  ++svc_.stats.claims[decoded->tasks.empty() ? "empty" : "task"];
  for (auto& t : decoded->tasks) {
    auto runtime_id = t.runtime_id;
    accept_claimed(std::move(t), runtime_id);
  }
  co_return static_cast<int>(decoded->tasks.size());
}

void server_worker::rpc_lost(const std::string& request_id, const std::vector<std::string>& ids,
                             std::chrono::system_clock::time_point sent, const std::string& why) {
  ++svc_.stats.claims["error"];
  gate_.lost(std::chrono::steady_clock::now());
  log::warn("a claim over the WebSocket has an unknown outcome; claiming pauses so no task is claimed twice",
            {{"request_id", request_id}, {"error", why},
             {"pause", std::to_string(claim_gate::uncertain_window.count()) + "ms"}, {"server_url", client_.base_url()},
             {"hint", "nothing to do: a task it claimed unseen is found and failed so it can run again"}});
  for (const auto& runtime_id : ids)
    async::spawn_guarded(svc_.io.get_executor(), "recovering a lost claim",
                         recover_lost_claim(runtime_id, sent - std::chrono::seconds(2)));
}

void server_worker::on_rpc_answer(push::rpc_response answer) {
  auto it = rpcs_.find(answer.request_id);
  if (it == rpcs_.end()) {
    // Late (after its wait ended) or not ours: what it claimed is recovered as lost.
    log::debug("an RPC answer nobody waits for; ignoring it", {{"request_id", answer.request_id}});
    return;
  }
  it->second->answer = std::move(answer);
  it->second->timer.cancel();
}

asio::awaitable<int> server_worker::claim_each(const std::vector<std::string>& ids, std::size_t& next) {
  for (std::size_t i = 0; i < ids.size() && !svc_.stopping; ++i) {
    const auto& runtime_id = ids[(next + i) % ids.size()];
    const auto started = std::chrono::steady_clock::now();
    auto r = co_await client_.claim(runtime_id);
    svc_.stats.claim_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    ++svc_.stats.claims[!r ? "error" : r->claimed ? "task" : "empty"];
    if (!r) {
      claim_failed(r.error(), {runtime_id});
      continue;
    }
    note_ok();
    claim_failing_ = false;
    if (!r->claimed) continue;
    next = (next + i + 1) % ids.size();
    accept_claimed(std::move(*r->claimed), runtime_id);
    co_return 1;
  }
  co_return 0;
}

void server_worker::claim_failed(const net::api_error& e, const std::vector<std::string>& ids) {
  note_error(e);
  if (may_have_dispatched(e))
    for (const auto& runtime_id : ids)
      async::spawn_guarded(svc_.io.get_executor(), "recovering a lost claim",
                           recover_lost_claim(runtime_id, std::chrono::system_clock::now() - std::chrono::seconds(2)));
  if (!claim_failing_)
    log::warn("cannot claim tasks; will keep polling",
              {{"runtime_id", ids.size() == 1 ? ids[0] : std::to_string(ids.size()) + " runtimes"},
               {"error", e.to_string()}, {"server_url", client_.base_url()}});
  claim_failing_ = true;
}

void server_worker::accept_claimed(proto::task t, const std::string& runtime_id) {
  if (svc_.stopping) {
    // Claimed while shutting down: say so now instead of stranding it
    // `dispatched` until the server's 5-minute timeout.
    store::running_task row{t.id, "server", runtime_id};
    if (auto ok = journal_.record(row); !ok)
      log::error("cannot journal a claimed task; a crash now would leave it unreported",
                 {{"task_id", row.task_id}, {"error", ok.error().to_string()}, {"hint", "check state_dir"}});
    channel_.fail(t.id, "daemon shutting down before the task started");
    return;
  }
  start_task(std::move(t));
}

asio::awaitable<void> server_worker::recover_lost_claim(std::string runtime_id, std::chrono::system_clock::time_point sent) {
  // Give a twin daemon that shares this runtime (same daemon_id elsewhere)
  // time to start a task it really claimed: started tasks are not dispatched.
  const bool go_on = co_await sleep(lost_claim_grace);
  if (!go_on) co_return;
  auto pending = co_await client_.pending(runtime_id);
  if (!pending) co_return;  // asked again after the next lost claim
  for (const auto& t : *pending) {
    auto at = execenv::parse_rfc3339(t.dispatched_at);
    if (t.status != "dispatched" || !at || *at < sent || svc_.tasks.contains(t.id)) continue;
    log::warn("a claim's answer was lost; failing the task it dispatched so it can run again",
              {{"task_id", t.id}, {"runtime_id", runtime_id},
               {"hint", "nothing to do: rerun the task in the web app; this follows a server or network fault"}});
    store::running_task row{t.id, "server", runtime_id, t.workspace_id};
    if (auto ok = journal_.record(row); !ok)
      log::error("cannot journal a claimed task; a crash now would leave it unreported",
                 {{"task_id", row.task_id}, {"error", ok.error().to_string()}, {"hint", "check state_dir"}});
    channel_.fail(t.id, "the daemon lost the server's answer to its claim; failed so the task can run again");
  }
}

}  // namespace multicad::core
