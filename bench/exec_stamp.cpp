// exec_stamp: a transparent wrapper put in front of the codex executable so a
// benchmark learns, to the microsecond, when the daemon (or the bare client)
// started it. /proc/<pid>/stat's start time counts clock ticks (10 ms here,
// USER_HZ = 100), too coarse for a 3 ms target, and the fake codex's own
// start record is written only after Node has booted (tens of ms later).
//
//   EXEC_STAMP_TARGET=/path/to/codex EXEC_STAMP_LOG=/file exec_stamp ARGS...
//
// Appends one JSON line {"at_us", "pid", "task", "argv1"} (one write(2) with
// O_APPEND, so concurrent starts do not interleave), then execv()s the target
// with the same argv and environment; the process keeps its pid and process
// group, so the daemon's process handling is unchanged. `--version` probes
// are stamped too (argv1 tells them apart); the target and everything it
// starts get EXEC_STAMP_CHILD=1 in their environment. Compiled by
// bench/lib.sh (g++ -O2, static when libc.a is there: ~0.5 ms less to load),
// outside the main build.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  const char* target = std::getenv("EXEC_STAMP_TARGET");
  if (!target || !*target) {
    std::fprintf(stderr, "exec_stamp: EXEC_STAMP_TARGET is not set\n");
    return 127;
  }
  if (const char* log = std::getenv("EXEC_STAMP_LOG"); log && *log) {
    const char* task = std::getenv("MULTICA_TASK_ID");
    long long at_us = static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
    char line[512];
    int n = std::snprintf(line, sizeof line, "{\"at_us\":%lld,\"pid\":%d,\"task\":\"%s\",\"argv1\":\"%s\"}\n", at_us,
                          static_cast<int>(::getpid()), task ? task : "", argc > 1 ? argv[1] : "");
    int fd = ::open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0 && n > 0) {
      (void)!::write(fd, line, static_cast<size_t>(n) < sizeof line ? n : sizeof line - 1);
      ::close(fd);
    }
  }
  // Marks Codex and everything it starts, so bench/rss_sampler can tell
  // Codex's processes from the daemon's.
  ::setenv("EXEC_STAMP_CHILD", "1", 1);
  argv[0] = const_cast<char*>(target);
  ::execv(target, argv);
  std::fprintf(stderr, "exec_stamp: cannot run %s: %s\n", target, std::strerror(errno));
  return 127;
}
