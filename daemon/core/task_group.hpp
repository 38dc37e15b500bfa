// The tasks one worker runs, in either mode: starts each through run_task
// with a completion handler (a fault ends as a failed task, logged at
// ERROR, never silently), tells the worker when a slot frees, and drains
// them at shutdown: tasks may finish within the grace period, then the rest
// are stopped (their agents climb the stop ladder of agent_machine) and
// given a fixed budget to end. server_worker and local_worker keep only
// where tasks come from and where their reports go (task_channel).
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

#include "daemon/core/task_environment.hpp"
#include "proto/task.hpp"

namespace multicad::core {

// Longest a stopped task may take to end: the agent's stop ladder
// (interrupt 5 s + close stdin 2 s + SIGTERM 2 s + the pipes 2 s) plus reporting.
inline constexpr std::chrono::seconds task_stop_budget{15};

class task_group {
 public:
  // Requires: env (and what it refers to) outlives the group and its tasks.
  // `slot_freed` runs whenever a task ends (the poller claims again).
  task_group(boost::asio::any_io_executor ex, task_environment& env, std::function<void()> slot_freed);

  // Runs the task; `ended` (optional) runs after it, however it ended.
  // Requires: the task is journaled.
  void start(proto::task task, std::function<void()> ended = {});
  std::size_t running() const { return env_.registry.size(); }

  // Waits up to `grace` for the running tasks, then stops the rest with
  // "daemon shutting down" (they report that failure) and waits for them
  // up to task_stop_budget.
  boost::asio::awaitable<void> drain(std::chrono::nanoseconds grace);

 private:
  boost::asio::awaitable<void> wait_for_tasks(std::chrono::steady_clock::duration limit);

  boost::asio::any_io_executor ex_;
  task_environment& env_;
  std::function<void()> slot_freed_;
  boost::asio::steady_timer changed_;  // cancelled when a task ends
};

}  // namespace multicad::core
