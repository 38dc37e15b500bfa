// The heartbeat and poll loops of server mode, and what a heartbeat can
// ask for (a ping, an update). See server_worker.hpp for the schedule.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/async/guarded.hpp"
#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"
#include "execenv/gc_meta.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// How long a task a lost claim dispatched may stay dispatched before it counts as stranded.
constexpr auto lost_claim_grace = std::chrono::seconds(10);

asio::awaitable<void> server_worker::heartbeat_loop() {
  bool failing = false;
  for (;;) {
    bool go_on = co_await sleep(svc_.settings.heartbeat_interval);
    if (!go_on) break;
    // Copy: a re-registration below may replace the map's entries.
    std::vector<std::pair<std::string, std::string>> beats;  // workspace, runtime
    for (const auto& [id, w] : svc_.workspaces)
      for (const auto& rt : w.runtimes) beats.emplace_back(id, rt.id);
    for (const auto& [workspace_id, runtime_id] : beats) {
      // Named, not braced in the co_await: GCC 12 destroys a braced aggregate
      // temporary inside a co_await expression twice.
      proto::server::heartbeat_request beat{runtime_id};
      auto r = co_await client_.heartbeat(beat);
      if (!r) {
        note_error(r.error());
        ++svc_.stats.heartbeat_failures;
        if (r.error().status == 404) {
          // The server lost the runtime (deleted, or the workspace membership
          // changed): register again rather than beat into the void forever.
          log::warn("the server no longer knows this runtime; registering again",
                    {{"runtime_id", runtime_id}, {"workspace_id", workspace_id}, {"error", r.error().to_string()}});
          auto name = svc_.workspaces.count(workspace_id) ? svc_.workspaces[workspace_id].name : "";
          svc_.workspaces.erase(workspace_id);
          proto::server::workspace again{workspace_id, name, ""};
          co_await register_workspace(again);
        } else if (!failing) {
          failing = true;
          log::warn("heartbeat failed; the server marks runtimes offline after 45s without one",
                    {{"runtime_id", runtime_id}, {"error", r.error().to_string()}, {"server_url", client_.base_url()},
                     {"hint", "check the server and the network; heartbeats continue"}});
        }
        continue;
      }
      note_ok();
      if (failing) {
        failing = false;
        log::info("heartbeat succeeded again", {{"runtime_id", runtime_id}});
      }
      if (r->pending_ping_id) async::spawn_guarded(svc_.io.get_executor(), "a ping", ping(runtime_id, *r->pending_ping_id));
      if (r->pending_update)
        async::spawn_guarded(svc_.io.get_executor(), "an update refusal", refuse_update(runtime_id, r->pending_update->id));
    }
  }
}

asio::awaitable<void> server_worker::refuse_update(std::string runtime_id, std::string update_id) {
  log::info("self-update requested by the server; refusing", {{"runtime_id", runtime_id}, {"update_id", update_id}});
  proto::server::update_result_request refusal{"failed", "", "self-update is not supported; upgrade with your package manager"};
  auto r = co_await client_.update_result(runtime_id, update_id, refusal);
  if (!r) note_error(r.error());
}

asio::awaitable<void> server_worker::poll_loop() {
  std::size_t next = 0;
  bool failing = false;
  while (!svc_.stopping) {
    if (svc_.tasks.size() >= static_cast<std::size_t>(svc_.settings.max_concurrent_tasks)) {
      wake_.expires_at(asio::steady_timer::time_point::max());  // woken when a task ends
      co_await wake_.async_wait(use_tuple);
      continue;
    }
    std::vector<std::string> ids;
    for (const auto& [id, w] : svc_.workspaces)
      for (const auto& rt : w.runtimes) ids.push_back(rt.id);
    bool claimed = false;
    for (std::size_t i = 0; i < ids.size() && !claimed && !svc_.stopping; ++i) {
      const auto& runtime_id = ids[(next + i) % ids.size()];
      auto claim_started = std::chrono::steady_clock::now();
      auto r = co_await client_.claim(runtime_id);
      svc_.stats.claim_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - claim_started).count());
      ++svc_.stats.claims[!r ? "error" : r->claimed ? "task" : "empty"];
      if (!r) {
        note_error(r.error());
        // A claim that failed while connecting cannot have dispatched a task;
        // one lost after it reached the server may have (and an answer that
        // does not decode may hide one), so look for it on the server.
        bool maybe_dispatched = r.error().kind != net::failure_kind::http_status && r.error().may_have_reached_server;
        if (maybe_dispatched)
          async::spawn_guarded(svc_.io.get_executor(), "recovering a lost claim",
                               recover_lost_claim(runtime_id, std::chrono::system_clock::now() - std::chrono::seconds(2)));
        if (!failing)
          log::warn("cannot claim tasks; will keep polling",
                    {{"runtime_id", runtime_id}, {"error", r.error().to_string()}, {"server_url", client_.base_url()}});
        failing = true;
        continue;
      }
      note_ok();
      failing = false;
      if (!r->claimed) continue;
      next = (next + i + 1) % ids.size();
      claimed = true;
      if (svc_.stopping) {
        // Claimed while shutting down: say so now instead of stranding it
        // `dispatched` until the server's 5-minute timeout.
        store::running_task row{r->claimed->id, "server", runtime_id};
        if (auto ok = journal_.record(row); !ok)
          log::error("cannot journal a claimed task; a crash now would leave it unreported",
                     {{"task_id", row.task_id}, {"error", ok.error().to_string()}, {"hint", "check state_dir"}});
        channel_.fail(r->claimed->id, "daemon shutting down before the task started");
        break;
      }
      start_task(std::move(*r->claimed));
    }
    // After a claim, look again at once: more work may be queued.
    if (!claimed) {
      bool go_on = co_await sleep(svc_.settings.poll_interval);
      if (!go_on) break;
    }
  }
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
