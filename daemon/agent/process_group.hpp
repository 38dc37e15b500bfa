// Children run in their own process group so that a stop reaches the whole
// tree (the npm `codex` launcher is a Node parent of the native binary:
// signalling only its pid would orphan the real server). Header-only; the
// initializer runs in the forked child before exec.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <sys/syscall.h>

#include <algorithm>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <climits>
#include <vector>

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

// A Boost.Process v2 initializer that closes every descriptor the child
// would otherwise inherit (the daemon's listening socket, the store, other
// tasks' pipes), except the ones the launcher keeps (stdio and its own
// error pipe). Boost 1.81's own close_all() skips the gaps between kept
// descriptors (it compares an entry with itself), which leaked the health
// port's socket into agents: an orphaned agent then held the port and a
// restarted daemon could not bind it. Pass it after process_stdio.
struct close_inherited_fds {
  template <class Launcher, class Path>
  boost::system::error_code on_exec_setup(Launcher& launcher, const Path&, const char* const*&) const {
    std::vector<int> keep = launcher.fd_whitelist;
    std::sort(keep.begin(), keep.end());
    unsigned from = 0;
    for (int fd : keep) {
      if (fd < 0) continue;
      if (static_cast<unsigned>(fd) > from) ::syscall(SYS_close_range, from, static_cast<unsigned>(fd) - 1, 0U);
      from = std::max(from, static_cast<unsigned>(fd) + 1);
    }
    ::syscall(SYS_close_range, from, static_cast<unsigned>(INT_MAX), 0U);
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
