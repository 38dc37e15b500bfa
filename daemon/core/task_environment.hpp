// What every task of one source (the server, or the local queue) shares:
// the settings, the pool for blocking work, the channel its reports go to,
// the journal, the registry of running tasks, the toolbox grants. Built once
// by a worker and lent to each task.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "daemon/agent/version_cache.hpp"
#include "daemon/core/metrics.hpp"
#include "daemon/core/task_channel.hpp"
#include "daemon/core/task_registry.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/toolbox/grants.hpp"
#include "execenv/task_context.hpp"
#include "proto/task.hpp"

namespace multicad::core {

// What a task source may set instead of the server task's defaults (local
// mode: the submitted prompt, the user's folder, a model).
struct task_overrides {
  std::string prompt;                // empty: built from the task (agent/prompt.hpp)
  std::filesystem::path agent_cwd;   // empty: the task's own workdir
  std::string model;                 // empty: agents.codex.model
  std::string repo;                  // a repository (path or URL) to check out and run in (submit --repo)
};

struct task_environment {
  const config::settings& settings;
  boost::asio::thread_pool& pool;  // blocking filesystem work
  task_channel& channel;
  store::journal& journal;
  task_registry& registry;
  agent::version_cache& versions;
  std::filesystem::path codex_exe;          // resolved agents.codex.path
  std::filesystem::path shared_codex_home;  // $CODEX_HOME or ~/.codex
  std::filesystem::path agent_bin;          // holds the `multica` link; prepended to the agent's PATH
  // Server mode: the task capabilities the agent's `multica` uses on the
  // loopback endpoint (toolbox/grants.hpp). Null in local mode: no toolbox.
  toolbox::grants* grants = nullptr;
  // The repositories of a workspace, for AGENTS.md when the task lists none. Optional.
  std::function<std::vector<execenv::repo_ref>(const std::string& workspace_id)> workspace_repos;
  std::string provider = "codex";
  std::chrono::milliseconds status_poll{std::chrono::seconds(5)};
  std::chrono::milliseconds flush_interval{500};
  std::function<task_overrides(const proto::task&)> overrides;  // optional
  metrics* stats = nullptr;                                      // optional
};

}  // namespace multicad::core
