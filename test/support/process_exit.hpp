// Waiting for a process to end as an event: a pidfd (pidfd_open + poll)
// turns readable the moment the process exits, whoever its parent is, so a
// test waits exactly that long and never polls with a sleep. Any thread.
#pragma once

#include <sys/types.h>

#include <chrono>

namespace multicad::test {

// True once `pid` has exited (a zombie child counts: it is not reaped here);
// also true when no such process exists. False if it still runs at the deadline.
bool wait_exit(pid_t pid, std::chrono::milliseconds limit);

}  // namespace multicad::test
