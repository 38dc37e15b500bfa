#include "daemon/core/daemon.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>

#include "config/listen_address.hpp"

#include "daemon/agent/discovery.hpp"
#include "daemon/async/guarded.hpp"
#include "daemon/agent/process_tree.hpp"
#include "daemon/auth/token.hpp"
#include "daemon/build_info.hpp"
#include "daemon/core/daemon_record.hpp"
#include "daemon/core/health_server.hpp"
#include "daemon/core/local_routes.hpp"
#include "daemon/core/local_worker.hpp"
#include "daemon/core/recovery.hpp"
#include "daemon/core/store_watch.hpp"
#include "daemon/core/supervisor.hpp"
#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/instance_lock.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/toolbox/agent_bin.hpp"
#include "daemon/toolbox/forwarder.hpp"
#include "daemon/toolbox/grants.hpp"
#include "daemon/toolbox/repo_checkout.hpp"
#include "daemon/version.hpp"
#include "execenv/gc_meta.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Two workers: environment preparation and /proc scans are short; more
// threads would only contend for two cores.
constexpr int pool_threads = 2;

fs::path shared_codex_home(const config::load_inputs& in) {
  if (auto h = in.getenv("CODEX_HOME"); h && !h->empty()) return fs::absolute(*h);
  return in.home / ".codex";
}

// The agent's `multica` (toolbox/agent_bin.hpp); without it the agent has
// no toolbox, which is worth a WARN but not a refusal to run.
fs::path agent_bin(const config::settings& s) {
  auto bin = toolbox::install_agent_bin(s.state_dir);
  if (bin) return *bin;
  log::warn("cannot install the agent's multica command; agents will not find it",
            {{"error", bin.error().message}, {"hint", "check that state_dir is writable by the daemon's user"}});
  return {};
}

// The second signal: nothing graceful is left to wait for. Every agent the
// journal knows is killed; the journal stays, so the next start reports them.
[[noreturn]] void exit_now(store::database& db) {
  log::warn("second signal: stopping every agent and exiting now",
            {{"hint", "interrupted tasks are reported failed at the next start"}});
  store::journal journal(db);
  if (auto rows = journal.list())
    for (const auto& t : *rows) agent::kill_task_processes(static_cast<pid_t>(t.agent_pgid), t.task_id);
  std::_Exit(1);
}

// SIGHUP: the log is reopened (after an external rotation) with the level
// and format the configuration says now.
void reload_settings(services& svc, const settings_loader& reload) {
  if (!reload) return;
  auto loaded = reload();
  if (!loaded) {
    log::warn("configuration reload failed; keeping the current settings",
              {{"error", loaded.error().to_string()},
               {"hint", "fix the configuration (multicad config show says what is wrong); nothing changed"}});
    return;
  }
  if (auto err = log::reopen(loaded->values.log); !err.empty()) {
    log::warn("configuration reload failed; keeping the current settings", {{"error", err}});
    return;
  }
  auto live = loaded->values;
  live.log = svc.settings.log;
  log::info("SIGHUP: log reopened and settings reloaded",
            {{"log_level", loaded->values.log.level}, {"log_format", std::string(config::to_string(loaded->values.log.format))},
             {"restart_needed", live == svc.settings ? "no" : "yes: other settings changed; restart to apply them"}});
}

// Runs a worker (server_worker or local_worker) with signals and the local
// endpoint wired to it, until it returns.
template <class Worker>
int serve(services& svc, health_server& health, Worker& worker, local_routes routes, std::function<void()> after,
          const settings_loader& reload) {
  asio::signal_set hangups(svc.io, SIGHUP);
  std::function<void()> arm_hup = [&] {
    hangups.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      reload_settings(svc, reload);
      arm_hup();
    });
  };
  arm_hup();
  asio::signal_set signals(svc.io, SIGINT, SIGTERM);
  std::optional<std::chrono::steady_clock::time_point> first_signal;
  std::function<void()> arm = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      auto now = std::chrono::steady_clock::now();
      // A repeat within a second is the same request delivered twice (e.g.
      // `timeout` signals the child and then its whole group), not a second one.
      if (first_signal && now - *first_signal > std::chrono::seconds(1)) exit_now(svc.db);
      if (!first_signal) {
        first_signal = now;
        log::info("signal received; send it again to stop every agent and exit at once",
                  {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        worker.shutdown();
      }
      arm();
    });
  };
  arm();
  routes.port = health.port();
  routes.shutdown = [&worker] { worker.shutdown(); };
  health.start([&routes](local_request r) { return route(routes, std::move(r)); });
  async::spawn_loop(svc.io.get_executor(), "systemd supervision", [&svc] { return supervise(svc); },
                    [&svc] { return svc.stopping && svc.tasks.size() == 0; });
  async::spawn_loop(svc.io.get_executor(), "store watch", [&svc] { return watch_store(svc); },
                    [&svc] { return svc.stopping; });
  int status = 1;
  asio::co_spawn(svc.io, [&]() -> asio::awaitable<void> {
    status = co_await worker.run();
    worker.shutdown();  // when run() ended on its own (a rejected token)
    health.stop();
    signals.cancel();
    hangups.cancel();
    if (after) after();
    // Everything that matters is done (tasks ended, reports delivered or stored,
    // runtimes deregistered); handlers already queued (a socket closing, a health
    // answer being written) get a short moment, then the loop ends. The
    // supervisor never runs out of work, so the loop has to be stopped.
    asio::steady_timer last(svc.io, std::chrono::milliseconds(100));
    co_await last.async_wait(asio::as_tuple(asio::use_awaitable));
    svc.io.stop();
  }, [&](std::exception_ptr e) {
    if (!e) return;
    // Nothing is left to run the tasks or deliver their reports: exit, and
    // let the next start recover them from the journal and the outbox.
    log::error("the daemon's main loop failed; exiting", {{"error", async::describe(e)},
               {"hint", "a bug in multicad: please report it with this log; the next start recovers the running tasks"}});
    status = 1;
    svc.io.stop();
  });
  svc.io.run();
  log::info("multicad stopped", {{"status", std::to_string(status)}});
  return status;
}

int run_server_mode(services& svc, const config::load_inputs& in, health_server& health, const settings_loader& reload) {
  const auto& s = svc.settings;
  auto token = auth::resolve_token(s, in.home, in.getenv);
  if (!token) {
    log::error("cannot start: no usable server token", {{"error", token.error().message}});
    return 2;
  }
  log::info("server token found", {{"source", token->source}});
  net::client_options opts;
  opts.user_agent = std::string("multicad/") + multicad_version;
  opts.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s.server_timeout);
  opts.on_request = [&svc](const net::request_record& r) { svc.stats.record_request(r.method, r.path, r.status, r.latency, r.ok); };
  net::server_client client(svc.io.get_executor(), s.server_url, token->token, opts);
  toolbox::grants grants;
  toolbox::api_forwarder api(grants, client, health.port());
  toolbox::repo_checkout_endpoint checkout(svc, grants, client, health.port());
  server_worker worker(svc, client, grants);
  recover_interrupted_tasks(svc.db, worker.channel(), "server");
  local_routes routes{svc, s.server_url, health.port(), nullptr, nullptr, &api, &checkout};
  return serve(svc, health, worker, routes, [&] { client.close(); }, reload);
}

int run_local_mode(services& svc, health_server& health, const settings_loader& reload) {
  svc.mode = "local";
  local_worker worker(svc);
  recover_interrupted_tasks(svc.db, worker.channel(), "local");
  local_routes routes{svc, "", health.port(), [&] { worker.wake(); }, nullptr, nullptr, nullptr};
  return serve(svc, health, worker, routes, nullptr, reload);
}

// The optional metrics.listen endpoint; nullptr when it is off or cannot
// listen (`error` says why).
std::unique_ptr<health_server> bind_metrics_listener(asio::io_context& io, const config::settings& s, std::string& error) {
  if (s.metrics.listen.empty()) return nullptr;
  auto where = config::parse_listen_address(s.metrics.listen);
  if (auto* e = std::get_if<std::string>(&where)) {  // validated at load; only a bug gets here
    error = *e;
    return nullptr;
  }
  const auto& a = std::get<config::listen_address>(where);
  return health_server::bind(io, a.host, a.port, error);
}

// Tells the CLI where this daemon listens (daemon_record.hpp); a failure
// only costs the CLI that hint, so it is logged and the daemon goes on.
void record_endpoints(const config::settings& s) {
  daemon_record r{::getpid(), s.health_port, execenv::format_rfc3339_utc(std::chrono::system_clock::now()),
                  s.metrics.listen};
  if (auto err = write_daemon_record(s.state_dir, r); !err.empty())
    log::warn("cannot record where the daemon listens; the CLI falls back to health_port",
              {{"error", err}, {"hint", "check that state_dir is writable by this user"}});
}

}  // namespace

// Stays whole: the order of the start-up steps is the contract (lock, ports,
// store, agent, record), and each failure is one log line and a status.
int run_daemon(const config::loaded_settings& loaded, settings_loader reload) {
  const auto& s = loaded.values;
  if (auto err = log::setup(s.log); !err.empty()) {
    // Still the standard-error log (with its journal priority), since the file is not usable.
    log::error("cannot start: cannot open the log file", {{"error", err},
               {"hint", "create its folder, writable by the daemon's user (under systemd, LogsDirectory= does it "
                        "for /var/log/...), or leave log.file empty to log to standard error"}});
    return 2;
  }
  const auto& build = this_build();
  log::info("multicad starting", {{"version", build.version}, {"commit", build.commit}, {"pid", std::to_string(::getpid())},
                                  {"mode", s.server_url.empty() ? "local" : "server"},
                                  {"config", loaded.file ? loaded.file->string() : "(none)"}});
  for (const auto& w : loaded.warnings) log::warn("configuration value is valid but probably unintended", {{"warning", w}});
  if (s.codex.multi_agent || s.codex.memory)
    log::info("codex features left to the shared config.toml", {{"multi_agent", s.codex.multi_agent ? "allowed" : "off"},
                                                                {"memory", s.codex.memory ? "allowed" : "off"}});
  if (s.codex.allow_task_config)
    log::warn("codex.allow_task_config is on: agents' custom_args may pass any Codex argument",
              {{"hint", "whoever can edit an agent in a workspace can now change Codex's sandbox and run commands "
                        "outside it; set codex.allow_task_config = false unless you trust every such person"}});

  // The lock first: a second daemon on this store must change nothing, not
  // even the health port's owner or the journal's recovery.
  auto lock = store::instance_lock::acquire(s.state_dir);
  if (!lock) {
    log::error(lock.error().kind == store::store_fault::held_by_another_daemon
                   ? "cannot start: the state folder is in use"
                   : "cannot start: the state folder cannot be locked",
               {{"error", lock.error().message}});
    return 1;
  }
  asio::io_context io(1);
  std::string bind_error;
  auto health = health_server::bind(io, s.health_port, bind_error);
  if (!health) {
    log::error("cannot start: the local endpoint cannot listen", {{"error", bind_error}});
    return 1;
  }
  auto metrics_endpoint = bind_metrics_listener(io, s, bind_error);
  if (!s.metrics.listen.empty() && !metrics_endpoint) {
    log::error("cannot start: metrics.listen cannot listen", {{"error", bind_error},
               {"hint", "free the port or change metrics.listen (empty turns it off)"}});
    return 1;
  }
  auto db = store::database::open(s.state_dir / store::store_file_name, store::migrations());
  if (!db) {
    log::error("cannot start: cannot open the store", {{"error", db.error().message},
               {"hint", "check that state_dir is writable by this user"}});
    return 1;
  }
  auto in = config::process_inputs();
  agent::version_cache versions;
  auto codex = agent::discover_codex(s, versions);
  if (!codex.usable()) {
    log::error("cannot start: no usable agent CLI; see the WARN above", {{"configured", s.codex_agent.path}});
    return 1;
  }
  asio::thread_pool pool(pool_threads);
  services svc{io, pool, s, *db, versions, *codex.found, shared_codex_home(in), agent_bin(s)};
  if (metrics_endpoint) {
    metrics_endpoint->start([&svc](local_request r) { return metrics_only_route(svc, std::move(r)); });
    log::info("serving /metrics on metrics.listen", {{"listen", s.metrics.listen}});
  }
  record_endpoints(s);
  int status = s.server_url.empty() ? run_local_mode(svc, *health, reload) : run_server_mode(svc, in, *health, reload);
  if (metrics_endpoint) metrics_endpoint->stop();
  remove_daemon_record(s.state_dir, ::getpid());
  pool.join();
  return status;
}

}  // namespace multicad::core
