// Runs one Codex app-server child for one task and drives a
// proto::codex::session over its stdio: spawn in its own process group,
// newline-delimited JSON with a hard line cap (an over-long line becomes an
// error event, not an OOM), stderr drained to the debug log with a
// "[codex:stderr]" prefix (the last few KB kept for error messages). When to
// start, how long a turn may take to begin and how a stop escalates
// (interrupt, close stdin, SIGTERM the group, SIGKILL the group and every
// process carrying the task's marker) is proto::lifecycle::agent_machine's
// decision; this is its I/O shell. run() returns only when no process of
// the task is left.
// Thread rule: construct, run() and stop() on one executor (the io_context).
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/codex/session.hpp"
#include "proto/exit_status.hpp"
#include "proto/lifecycle/agent_machine.hpp"

namespace multicad::agent {

struct codex_spawn {
  std::filesystem::path exe;
  std::vector<std::string> args;  // after the executable; see codex_args()
  std::vector<std::string> env;   // KEY=VALUE, the whole environment
  std::filesystem::path cwd;
};

struct codex_run_options {
  codex_spawn spawn;
  proto::codex::session_config session;
  std::string task_id;  // for logs and the stray-process scan (the MULTICAD_TASK marker)
  proto::lifecycle::agent_limits limits;  // start limit and the stop ladder's steps
  std::size_t max_line_bytes = 8 * 1024 * 1024;
  // Spawn at once but send nothing to Codex until release(): the process boots
  // (its slowest part) while the daemon still waits for the server's go-ahead.
  // A run stopped before release() closes stdin and reports no turn.
  bool hold_session = false;
  // Every sign of life Codex gives during the turn, stamped with the time it
  // was read: the task's liveness watchdogs feed on it. May be empty.
  std::function<void(const proto::codex::activity&)> on_activity;
};

struct codex_run_result {
  proto::codex::outcome outcome;
  proto::exit_status exit;        // how the process ended
  std::string stderr_tail;        // the last few KB of stderr
  std::vector<pid_t> survivors;   // processes that could not be killed (should be empty)
  std::optional<std::chrono::milliseconds> start_latency;  // spawn until the turn started, if it did
};

// `codex app-server --listen stdio://` plus the agent's custom args.
// Requires: custom_args passed execenv::check_custom_args (which drops the
// flags that would change the protocol and refuses what would change the sandbox).
std::vector<std::string> codex_args(const std::vector<std::string>& checked_custom_args);

class codex_run {
 public:
  using event_handler = std::function<void(const proto::codex::event&)>;
  using started_handler = std::function<void(pid_t pgid)>;  // journal the agent

  codex_run(boost::asio::any_io_executor ex, codex_run_options options, event_handler on_event,
            started_handler on_started);
  ~codex_run();
  codex_run(const codex_run&) = delete;
  codex_run& operator=(const codex_run&) = delete;

  // Requires: called once.
  boost::asio::awaitable<codex_run_result> run();
  // Starts the held session (see codex_run_options::hold_session). Idempotent;
  // does nothing once stopped.
  void release();
  // Starts the stop protocol with the reason reported as the outcome's error
  // ("cancelled by the server", "timed out after 2h0m0s"). Idempotent.
  void stop(std::string reason);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with the reader coroutines, which may outlive a call
};

}  // namespace multicad::agent
