// Children run in their own process group so that a stop reaches the whole
// tree (the npm `codex` launcher is a Node parent of the native binary:
// signalling only its pid would orphan the real server). Header-only; the
// initializer runs in the forked child before exec.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <boost/system/error_code.hpp>
#include <cerrno>

namespace multicad::agent {

// A Boost.Process v2 initializer: the child becomes leader of a new process
// group whose id equals its pid.
struct own_process_group {
  template <class Launcher, class Path>
  boost::system::error_code on_exec_setup(Launcher&, const Path&, const char* const*&) const {
    if (::setpgid(0, 0) != 0) return {errno, boost::system::system_category()};
    return {};
  }
};

// Sends `sig` to every process of the group. True when delivered, or when
// the group no longer exists (already gone is not an error).
inline bool kill_process_group(pid_t pgid, int sig) {
  if (pgid <= 1) return false;  // never signal init or our own group by accident
  return ::kill(-pgid, sig) == 0 || errno == ESRCH;
}

}  // namespace multicad::agent
