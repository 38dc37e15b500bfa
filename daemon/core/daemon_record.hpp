// Where a running daemon listens, recorded in <state_dir>/daemon.json so the
// CLI (status, submit, tasks) finds it even when it was started with another
// health_port than the CLI's settings say. Written atomically (mode 0600)
// once the endpoints are bound, removed at a clean exit; a record whose pid
// is gone is stale (SIGKILL, power loss) and ignored. Not the single-instance
// lock: that is the port itself (and multicad.lock). Any thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace multicad::core {

inline constexpr const char* daemon_record_file = "daemon.json";

struct daemon_record {
  pid_t pid = 0;
  int port = 0;                // the health port, on 127.0.0.1
  std::string started_at;      // RFC 3339, UTC
  std::string metrics_listen;  // metrics.listen as bound, or empty
};

// An error message, or empty on success.
std::string write_daemon_record(const std::filesystem::path& state_dir, const daemon_record& r);
// Removes the record if it is still `pid`'s (a newer daemon may have replaced it).
void remove_daemon_record(const std::filesystem::path& state_dir, pid_t pid);
// The record, or nullopt when there is none or it does not parse.
std::optional<daemon_record> read_daemon_record(const std::filesystem::path& state_dir);

// Whether a process with this pid exists (kill(pid, 0); EPERM counts as alive).
bool process_alive(pid_t pid);

}  // namespace multicad::core
