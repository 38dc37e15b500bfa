// The heartbeat loop of server mode, and what a heartbeat can ask for (a
// ping, an update). See server_worker.hpp for the schedule.
#include "daemon/async/guarded.hpp"
#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> server_worker::heartbeat_loop() {
  bool failing = false;
  for (;;) {
    bool go_on = co_await sleep(svc_.settings.heartbeat_interval, beat_wake_);
    if (!go_on) break;
    // Copy: a re-registration below may replace the map's entries.
    std::vector<std::pair<std::string, std::string>> beats;  // workspace, runtime
    for (const auto& [id, w] : svc_.workspaces)
      for (const auto& rt : w.runtimes) beats.emplace_back(id, rt.id);
    for (const auto& [workspace_id, runtime_id] : beats) {
      // §11.1: no HTTP heartbeat while the WebSocket's acks are fresh (the
      // map is emptied when it drops, so they resume at once).
      auto acked = acks_.find(runtime_id);
      if (acked != acks_.end() && std::chrono::steady_clock::now() - acked->second < 2 * svc_.settings.heartbeat_interval)
        continue;
      // Named, not braced in the co_await: GCC 12 destroys a braced aggregate
      // temporary inside a co_await expression twice.
      proto::server::heartbeat_request beat{runtime_id};
      auto r = co_await client_.heartbeat(beat);
      if (!r) {
        note_error(r.error());
        ++svc_.stats.heartbeat_failures;
        if (r.error().status == 404) {
          co_await register_again(workspace_id, runtime_id, r.error().to_string());
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
      on_beat_answer(runtime_id, *r);
    }
  }
}

void server_worker::on_beat_answer(const std::string& runtime_id, const proto::server::heartbeat_response& r) {
  if (r.pending_ping_id) async::spawn_guarded(svc_.io.get_executor(), "a ping", ping(runtime_id, *r.pending_ping_id));
  if (r.pending_update)
    async::spawn_guarded(svc_.io.get_executor(), "an update refusal", refuse_update(runtime_id, r.pending_update->id));
}

asio::awaitable<void> server_worker::refuse_update(std::string runtime_id, std::string update_id) {
  log::info("self-update requested by the server; refusing", {{"runtime_id", runtime_id}, {"update_id", update_id}});
  proto::server::update_result_request refusal{"failed", "", "self-update is not supported; upgrade with your package manager"};
  auto r = co_await client_.update_result(runtime_id, update_id, refusal);
  if (!r) note_error(r.error());
}

}  // namespace multicad::core
