// wait_gone: blocks until a process has exited and prints the epoch µs at
// which it noticed (pidfd_open + poll: the pidfd turns readable the moment
// the process exits, no polling interval), for bench/pickup.sh.
//
//   wait_gone PID TIMEOUT_MS     -> prints {"gone_us": N} or {"error": "..."}; exit 0 when gone
//
// Start it before the event that should end the process; it prints
// {"watching": true} on stderr once the pidfd is open.
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: wait_gone PID TIMEOUT_MS\n");
    return 2;
  }
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, std::atoi(argv[1]), 0));
  if (fd < 0) {
    std::printf("{\"error\":\"no such process\"}\n");
    return 1;
  }
  std::fprintf(stderr, "{\"watching\": true}\n");
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, std::atoi(argv[2]));
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  if (r <= 0) {
    std::printf("{\"error\":\"still running\"}\n");
    return 1;
  }
  std::printf("{\"gone_us\":%lld}\n", static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
  return 0;
}
