// DESIGN: every loop is a coroutine on the io_context, spawned by run().
// Sleeps go through sleep(), which returns false once shutdown() began, so
// loops end by themselves; run() then waits for the running tasks (the
// registry), drains the outbox briefly and deregisters.
#include "daemon/core/server_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "daemon/async/guarded.hpp"
#include "daemon/core/gc_loop.hpp"
#include "daemon/core/supervisor.hpp"
#include "daemon/log/log.hpp"
#include "execenv/gc_meta.hpp"
#include "daemon/version.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string runtime_display_name(const config::settings& s, const std::string& provider) {
  if (!s.runtime_name.empty()) return s.runtime_name;
  std::string name = provider;
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return s.device_name.empty() ? name : name + " (" + s.device_name + ")";
}

server_worker::server_worker(services& svc, net::server_client& client, toolbox::grants& grants)
    : svc_(svc), client_(client),
      delivery_(svc.io.get_executor(), client, svc.db),
      channel_(client, svc.db, [this] { delivery_.wake(); }),
      journal_(svc.db),
      task_env_{svc.settings, svc.pool, channel_, journal_, svc.tasks, svc.versions, svc.codex.path,
                svc.shared_codex_home, svc.agent_bin},
      tasks_(svc.io.get_executor(), task_env_, [this] { claim_wake_.poke(); }),
      stop_timer_(svc.io, asio::steady_timer::time_point::max()),
      claim_wake_(svc.io), beat_wake_(svc.io), sync_wake_(svc.io) {
  task_env_.stats = &svc_.stats;
  task_env_.grants = &grants;
  task_env_.workspace_repos = [this](const std::string& ws) {
    std::vector<execenv::repo_ref> out;
    if (auto it = svc_.workspaces.find(ws); it != svc_.workspaces.end())
      for (const auto& r : it->second.repos) out.push_back({r.url, r.description});
    return out;
  };
  delivery_.count_into(&svc_.stats);
}

void server_worker::note_ok() { svc_.contact.last_ok = std::chrono::system_clock::now(); }

void server_worker::note_error(const net::api_error& e) {
  svc_.contact.last_error = e.to_string();
  svc_.contact.last_error_at = std::chrono::system_clock::now();
}

asio::awaitable<bool> server_worker::sleep(std::chrono::nanoseconds d) {
  if (svc_.stopping) co_return false;
  asio::steady_timer t(svc_.io, std::chrono::duration_cast<asio::steady_timer::duration>(d));
  // stop_timer_ never expires; shutdown() cancels it, which ends every sleep at once.
  co_await (t.async_wait(use_tuple) || stop_timer_.async_wait(use_tuple));
  co_return !svc_.stopping;
}

asio::awaitable<bool> server_worker::sleep(std::chrono::nanoseconds d, wakeup& w) {
  if (svc_.stopping) co_return false;
  if (!w.pending) {
    asio::steady_timer t(svc_.io, std::chrono::duration_cast<asio::steady_timer::duration>(d));
    co_await (t.async_wait(use_tuple) || stop_timer_.async_wait(use_tuple) || w.timer.async_wait(use_tuple));
  }
  w.pending = false;
  co_return !svc_.stopping;
}

std::vector<std::string> server_worker::runtime_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, w] : svc_.workspaces)
    for (const auto& rt : w.runtimes) ids.push_back(rt.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string server_worker::workspace_of(const std::string& runtime_id) const {
  for (const auto& [id, w] : svc_.workspaces)
    for (const auto& rt : w.runtimes)
      if (rt.id == runtime_id) return id;
  return "";
}

asio::awaitable<void> server_worker::register_again(std::string workspace_id, std::string runtime_id, std::string why) {
  // The server lost the runtime (deleted, or the workspace membership
  // changed): register again rather than beat into the void forever.
  log::warn("the server no longer knows this runtime; registering again",
            {{"runtime_id", runtime_id}, {"workspace_id", workspace_id}, {"error", why}});
  auto name = svc_.workspaces.count(workspace_id) ? svc_.workspaces[workspace_id].name : "";
  svc_.workspaces.erase(workspace_id);
  proto::server::workspace again{workspace_id, name, ""};
  co_await register_workspace(again);
}

asio::awaitable<bool> server_worker::register_workspace(const proto::server::workspace& w) {
  proto::server::register_request r;
  r.workspace_id = w.id;
  r.daemon_id = svc_.settings.daemon_id;
  r.device_name = svc_.settings.device_name;
  r.cli_version = multicad_version;
  r.launched_by = svc_.settings.launched_by;
  r.runtimes.push_back({"codex", runtime_display_name(svc_.settings, "codex"), svc_.codex.raw, "online"});
  auto res = co_await client_.register_runtimes(r);
  if (!res) {
    note_error(res.error());
    log::warn("cannot register runtimes in a workspace; will retry",
              {{"workspace_id", w.id}, {"workspace", w.name}, {"error", res.error().to_string()},
               {"hint", res.error().workspace_not_found() ? "the token's user is not a member of this workspace"
                                                          : "check the server; registration is retried every 30s"}});
    co_return false;
  }
  note_ok();
  svc_.workspaces[w.id] = {w.id, w.name, res->runtimes, res->repos};
  for (const auto& rt : res->runtimes)
    log::info("runtime registered", {{"workspace_id", w.id}, {"workspace", w.name}, {"runtime_id", rt.id},
                                     {"provider", rt.provider}});
  co_return true;
}

asio::awaitable<bool> server_worker::initial_registration() {
  for (int attempt = 1; !svc_.stopping; ++attempt) {
    auto ws = co_await client_.list_workspaces();
    if (ws) {
      note_ok();
      announce_ready(svc_, "registering with " + client_.base_url());
      for (const auto& w : *ws) co_await register_workspace(w);
      if (ws->empty())
        log::warn("the token sees no workspace; nothing to run until it joins one",
                  {{"server_url", client_.base_url()}, {"hint", "add the token's user to a workspace in the web app"}});
      co_return true;
    }
    note_error(ws.error());
    if (ws.error().unauthorized()) {
      log::error("the server rejected the token", {{"server_url", client_.base_url()}, {"error", ws.error().to_string()},
                 {"hint", "set a valid token (token_file, MULTICA_TOKEN or `multica login`) and restart"}});
      co_return false;
    }
    auto wait = std::min<std::chrono::seconds>(std::chrono::seconds(1 << std::min(attempt, 5)), 30s);
    // Ready is not "registered": a start must not wait (and time out) on the network.
    announce_ready(svc_, "registering: " + client_.base_url() + " unreachable, retrying");
    log::warn("cannot reach the server to list workspaces; retrying",
              {{"server_url", client_.base_url()}, {"error", ws.error().to_string()},
               {"retry_in", std::to_string(wait.count()) + "s"}, {"hint", "check server_url and the network"}});
    bool slept = co_await sleep(wait);
    if (!slept) break;
  }
  co_return false;
}

asio::awaitable<void> server_worker::sync_loop() {
  for (;;) {
    bool go_on = co_await sleep(30s, sync_wake_);
    if (!go_on) break;
    auto ws = co_await client_.list_workspaces();
    if (!ws) { note_error(ws.error()); continue; }
    note_ok();
    std::map<std::string, bool> listed;
    for (const auto& w : *ws) {
      listed[w.id] = true;
      if (!svc_.workspaces.count(w.id)) co_await register_workspace(w);
    }
    for (auto it = svc_.workspaces.begin(); it != svc_.workspaces.end();) {
      if (listed.count(it->first)) { ++it; continue; }
      log::info("workspace no longer visible to the token; forgetting it", {{"workspace_id", it->first}});
      it = svc_.workspaces.erase(it);
    }
  }
}

asio::awaitable<std::optional<issue_answer>> server_worker::ask_issue(std::string issue_id) {
  auto r = co_await client_.gc_check(issue_id);
  if (r) co_return issue_answer{issue_answer::kind::known, r->status, execenv::parse_rfc3339(r->updated_at)};
  if (r.error().status == 404) co_return issue_answer{issue_answer::kind::unknown};
  co_return issue_answer{issue_answer::kind::error};
}

void server_worker::start_task(proto::task t) {
  store::running_task row;
  row.task_id = t.id;
  row.runtime_id = t.runtime_id;
  row.workspace_id = t.workspace_id;
  row.claimed_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  if (auto ok = journal_.record(row); !ok)
    log::error("cannot journal a claimed task; a crash now would leave it unreported",
               {{"task_id", t.id}, {"error", ok.error().to_string()}, {"hint", "check state_dir"}});
  tasks_.start(std::move(t));
}

void server_worker::shutdown() {
  if (svc_.stopping) return;
  svc_.stopping = true;
  log::info("shutting down: no new tasks; running tasks may finish",
            {{"running", std::to_string(svc_.tasks.size())},
             {"grace", config::format_duration(svc_.settings.shutdown_grace)}});
  announce_stopping(svc_, "draining: " + std::to_string(svc_.tasks.size()) + " task(s) left");
  claim_wake_.poke();
  stop_timer_.cancel();
  if (auto link = push_link_.lock()) link->close();  // its reader ends, and the push loop with it
}

asio::awaitable<int> server_worker::run() {
  bool registered = co_await initial_registration();
  if (!registered) co_return svc_.stopping ? 0 : 1;
  svc_.ready = true;
  announce_ready(svc_, "server mode: registered in " + std::to_string(svc_.workspaces.size()) + " workspace(s)");
  auto ex = co_await asio::this_coro::executor;
  // A loop that throws is logged and started again; none ends silently.
  auto stopping = [this] { return svc_.stopping; };
  async::spawn_loop(ex, "outbox delivery", [this] { return delivery_.run(); }, [this] { return delivery_.stopped(); });
  async::spawn_loop(ex, "workspace sync", [this] { return sync_loop(); }, stopping);
  async::spawn_loop(ex, "heartbeat", [this] { return heartbeat_loop(); }, stopping);
  async::spawn_loop(ex, "daemon WebSocket", [this] { return push_loop(); }, stopping);
  async::spawn_loop(ex, "GC", [this] {
    return gc_loop(svc_, [this](const std::string& id) { return ask_issue(id); },
                   [this](std::chrono::nanoseconds d) { return sleep(d); });
  }, stopping);
  co_await poll_loop();  // returns when shutdown began
  co_await drain_and_deregister();
  co_return 0;
}

}  // namespace multicad::core
