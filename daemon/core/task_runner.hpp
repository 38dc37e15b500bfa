// One task's life, from "claimed" to its final report:
//   start -> progress 1/2 -> prepare or reuse the environment (worker
//   thread) -> spawn Codex with the task's environment -> stream events in
//   batches (at most every 500 ms, and at the end) -> progress 2/2 ->
//   usage -> complete (non-empty answer) or fail (the real reason),
// while polling the assigner every 5 s for cancellation and enforcing the
// agent timeout and shutdown. GC metadata is written last.
// Thread rule: the coroutine runs on the daemon's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

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

// Why a task ended, for metrics and tests.
enum class task_end { completed, failed, cancelled, timed_out, interrupted_by_shutdown, not_started };

// Requires: the task is recorded in the journal (the poller does that at claim).
boost::asio::awaitable<task_end> run_task(task_environment& env, proto::task task);

// "codex timed out after 2h0m0s"
std::string timeout_message(const std::string& provider, std::chrono::nanoseconds limit);

}  // namespace multicad::core
