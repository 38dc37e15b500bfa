// Runs a service-manager command (systemctl, launchctl, useradd) to
// completion and captures what it printed. The seam the installer's tests
// replace with a recorder. process_runner uses fork/exec, no shell; each call
// is independent, so any thread, but one call blocks until the command ends.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::service {

struct command_output {
  int exit_status = -1;     // 0-255, 128+N when killed by signal N; -1 when it did not run or timed out
  std::string output;       // stdout and stderr as written, at most 64 KiB
  bool not_found = false;   // argv[0] is not on PATH (or not executable)
  bool timed_out = false;   // killed at the time limit
  bool ok() const { return exit_status == 0; }
};

class command_runner {
 public:
  virtual ~command_runner() = default;
  // Requires: argv is not empty.
  virtual command_output run(const std::vector<std::string>& argv) = 0;
};

class process_runner final : public command_runner {
 public:
  // `limit` bounds each command. `systemctl start` of a Type=notify unit waits
  // for READY=1 (TimeoutStartSec=90s) and `restart` also for the drain
  // (TimeoutStopSec=), so the default leaves room for both.
  // `extra_env` (KEY=VALUE) is set in each command's environment on top of ours.
  explicit process_runner(std::chrono::milliseconds limit = std::chrono::minutes(4),
                          std::vector<std::string> extra_env = {});
  command_output run(const std::vector<std::string>& argv) override;

 private:
  std::chrono::milliseconds limit_;
  std::vector<std::string> extra_env_;
};

// `name` itself when it contains a '/', else the first executable file named
// `name` in the ':'-separated `path_env`; nullopt when there is none.
std::optional<std::filesystem::path> find_executable(std::string_view name, std::string_view path_env);

// "systemctl --user enable --now 'a b'": argv as an operator would type it.
std::string display_command(const std::vector<std::string>& argv);

}  // namespace multicad::service
