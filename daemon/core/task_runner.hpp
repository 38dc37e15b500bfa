// One task's life, from "claimed" to its final report: the I/O shell of
// proto::lifecycle::task_machine (read its header for the states). The
// machine decides; this carries out its commands: the start call, the
// folder (prepared on the pool, Codex version re-detected first), Codex
// (agent/codex_run), the status polls, message flushes and timers, the
// reports through the task channel, the GC metadata.
// Thread rule: the coroutine runs on the daemon's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "daemon/core/task_environment.hpp"
#include "proto/lifecycle/final_report.hpp"
#include "proto/task.hpp"

namespace multicad::core {

// Why a task ended, for metrics and tests.
using proto::lifecycle::task_end;

// Requires: the task is recorded in the journal (the poller does that at claim).
// Never throws: a fault in the daemon while the task runs fails the task
// ("internal error: ...") and is logged at ERROR.
boost::asio::awaitable<task_end> run_task(task_environment& env, proto::task task);

}  // namespace multicad::core
