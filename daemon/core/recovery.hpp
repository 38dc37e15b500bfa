// Crash recovery at start-up, before any claim: every task the journal says
// a previous daemon was running is dealt with exactly once. Its agent, if
// still alive, is stopped (only after checking that the process group
// leader is really that agent: same boot, same start time; processes
// carrying the task's marker are stopped too, so a reused pid is never hit).
// If the task's final report is already queued, that report is what the
// server gets; otherwise it is reported failed with
// "interrupted: daemon restarted while the task was running".
// Thread rule: the io_context (it may block briefly on /proc scans).
#pragma once

#include "daemon/core/task_channel.hpp"
#include "daemon/store/database.hpp"

namespace multicad::core {

inline constexpr const char* interrupted_by_restart = "interrupted: daemon restarted while the task was running";

// `source` selects the journal rows of this mode ("server" or "local").
// Returns how many tasks were recovered.
int recover_interrupted_tasks(store::database& db, task_channel& channel, const std::string& source);

}  // namespace multicad::core
