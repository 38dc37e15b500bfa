// The single-daemon lock of a state folder: an exclusive flock(2) on
// <state_dir>/multicad.lock, held for the daemon's life and released by the
// kernel when the process ends, however it ends. Two daemons on one store
// would run recovery against each other's live agents and report their
// tasks twice; the health port alone does not stop a second daemon started
// with another port. The file holds the holder's pid, for the error text.
// Not thread-safe; the daemon takes it once in run_daemon().
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>

#include "daemon/store/database.hpp"

namespace multicad::store {

inline constexpr const char* lock_file_name = "multicad.lock";

class instance_lock {
 public:
  // Creates state_dir (0700) and the lock file (0600) if needed and takes
  // the lock without waiting. Fails at once when another process holds it:
  // "another multicad (pid 1234) is running with state_dir ...; ...".
  static result<instance_lock> acquire(const std::filesystem::path& state_dir);

  instance_lock(instance_lock&& other) noexcept;
  instance_lock& operator=(instance_lock&&) = delete;
  ~instance_lock();  // releases the lock (the file stays)

 private:
  explicit instance_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace multicad::store
