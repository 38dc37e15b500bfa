// What a task needs from the daemon's settings before its agent runs: its
// limits (timeout, watchdogs, poll and flush pace), the prepare request for its folder, Codex's spawn options and environment,
// the `submit --repo` checkout, the GC metadata at its end. The shell in
// task_runner.cpp calls these; they decide nothing about the task's life.
// Thread rule: the io_context (the awaitables hop to the pool themselves).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <filesystem>
#include <string>

#include "daemon/agent/codex_run.hpp"
#include "daemon/agent/task_mapping.hpp"
#include "daemon/core/task_environment.hpp"
#include "daemon/toolbox/git_checkout.hpp"
#include "execenv/environment.hpp"
#include "proto/lifecycle/task_machine.hpp"
#include "proto/task.hpp"

namespace multicad::core {

// The request for the task's folder, with the sandbox chosen for the Codex
// version detected just before (`codex_version`, "" when unknown).
execenv::prepare_request prepare_request_for(task_environment& env, const proto::task& task,
                                             const std::string& codex_version);

// Codex's spawn and session options for the task. `capability` is the
// task's toolbox capability ("" in local mode).
agent::codex_run_options run_options(task_environment& env, const proto::task& task,
                                     const execenv::prepared_environment& prepared,
                                     const execenv::prepare_request& request, agent::agent_settings checked,
                                     const std::string& capability, const task_overrides& over);

// The local `submit --repo` checkout into the task's folder, on the pool.
boost::asio::awaitable<boost::system::result<toolbox::checkout_result, toolbox::checkout_error>> check_out_repo(
    task_environment& env, const proto::task& task, const execenv::prepared_environment& prepared, std::string repo);

// Records the folder for GC (its issue, workspace, end time), on the pool.
// A failure is logged: GC then treats the folder as an orphan.
boost::asio::awaitable<void> write_gc_meta(task_environment& env, const proto::task& task,
                                           const std::filesystem::path& root);

// The task machine's limits from the daemon's settings: the hard cap and
// its message ("codex timed out after 2h0m0s"), the watchdogs, the status
// poll and message flush intervals, the cancel reason of this channel.
proto::lifecycle::task_limits task_limits_for(const task_environment& env);

}  // namespace multicad::core
