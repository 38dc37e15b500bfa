// What every part of a running daemon shares: the io_context it runs on,
// the worker pool, settings, the store, the running tasks, the detected
// agent, and what /health reports. Owned by run_daemon (daemon.hpp), which
// outlives everything that holds a reference.
// Thread rule: the io_context's thread only (the pool gets copies).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "daemon/agent/version_cache.hpp"
#include "daemon/core/metrics.hpp"
#include "daemon/core/task_registry.hpp"
#include "daemon/store/database.hpp"
#include "proto/server/types.hpp"

namespace multicad::core {

struct watched_workspace {
  std::string id;
  std::string name;
  std::vector<proto::server::runtime_info> runtimes;  // one per usable provider
  std::vector<proto::repo> repos;  // the workspace's repositories (register, refreshed on a checkout miss)
};

// What `multicad status` and /health show about the server side.
struct server_contact {
  std::optional<std::chrono::system_clock::time_point> last_ok;  // last successful request
  std::string last_error;                                        // the latest failure, for people
  std::optional<std::chrono::system_clock::time_point> last_error_at;
};

struct services {
  boost::asio::io_context& io;
  boost::asio::thread_pool& pool;
  const config::settings& settings;
  store::database& db;
  agent::version_cache& versions;
  agent::detection codex;  // the usable codex found at start-up
  std::filesystem::path shared_codex_home;
  std::filesystem::path agent_bin;  // the folder with the agent's `multica` (toolbox/agent_bin.hpp)
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string mode = "server";  // server | local
  bool ready = false;           // initial registration done (or local mode open)
  bool announced = false;       // READY=1 sent to the service manager
  bool stopping = false;        // shutdown began: no new tasks
  task_registry tasks;
  metrics stats;
  std::map<std::string, watched_workspace> workspaces;  // by id
  server_contact contact;
  std::string store_problem;  // non-empty: the store was lost under the daemon (store_watch.hpp)
};

}  // namespace multicad::core
