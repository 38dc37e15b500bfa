// Finding and stopping every process of one task, including ones that left
// its process group (a child that called setsid(), bwrap --new-session).
// Each agent is started with a marker variable in its environment
// (MULTICAD_TASK=<task id>) that its descendants inherit; the /proc scan
// finds them by it, as GitHub's runner does with RUNNER_TRACKING_ID.
// Linux /proc only; any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::agent {

// The environment variable that marks a task's processes.
inline constexpr std::string_view task_marker_variable = "MULTICAD_TASK";

// The process's start time in clock ticks since boot (field 22 of
// /proc/<pid>/stat); together with the boot id it tells a pid apart from a
// later process that reused the number.
std::optional<std::int64_t> process_start_time(pid_t pid);
std::string boot_id();

// Live processes (not zombies) whose environment holds `name=value`.
std::vector<pid_t> find_processes_with_env(std::string_view name, std::string_view value);

// Every process in the group `pgid` (live, not zombies).
std::vector<pid_t> process_group_members(pid_t pgid);

// SIGKILLs the group and every process carrying the task's marker, again
// until none is left or `limit` passes. Returns the processes still alive
// at the end (normally none).
std::vector<pid_t> kill_task_processes(pid_t pgid, std::string_view task_id,
                                       std::chrono::milliseconds limit = std::chrono::seconds(2));

}  // namespace multicad::agent
