#include "test/support/process_exit.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace multicad::test {

bool wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    if (errno == ESRCH) return true;  // already gone (and reaped)
    throw std::runtime_error("pidfd_open failed; this test needs Linux 5.3 or later");
  }
  pollfd p{fd, POLLIN, 0};
  int r = 0;
  do r = ::poll(&p, 1, static_cast<int>(limit.count()));
  while (r < 0 && errno == EINTR);
  ::close(fd);
  return r > 0;
}

}  // namespace multicad::test
