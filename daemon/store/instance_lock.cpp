#include "daemon/store/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace multicad::store {
namespace fs = std::filesystem;

namespace {

// The pid the holder wrote, for the message; empty when unreadable.
std::string holder_pid(int fd) {
  char buf[32] = {};
  auto n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.find_first_not_of("0123456789") == std::string::npos ? pid : std::string();
}

}  // namespace

result<instance_lock> instance_lock::acquire(const fs::path& state_dir) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) return store_error{"cannot create the state folder " + state_dir.string() + ": " + ec.message()};
  fs::permissions(state_dir, fs::perms::owner_all, ec);
  auto file = state_dir / lock_file_name;
  // O_CLOEXEC: an agent must not inherit the lock and keep it past the daemon.
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return store_error{"cannot open the lock file " + file.string() + ": " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    auto pid = holder_pid(fd);
    ::close(fd);
    if (err != EWOULDBLOCK) return store_error{"cannot lock " + file.string() + ": " + std::strerror(err)};
    return store_error{"another multicad" + (pid.empty() ? std::string() : " (pid " + pid + ")") +
                       " is running with state_dir " + state_dir.string() +
                       "; two daemons on one store would stop each other's tasks: stop that one "
                       "(multicad status says what it runs), or give this one its own state_dir (MULTICA_STATE_DIR)",
                       store_fault::held_by_another_daemon};
  }
  auto pid = std::to_string(::getpid()) + "\n";
  // Ignored on failure: the lock holds without the pid; only a second daemon's message loses it.
  bool recorded = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)recorded;  // see above
  return instance_lock(fd);
}

instance_lock::instance_lock(instance_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

instance_lock::~instance_lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace multicad::store
