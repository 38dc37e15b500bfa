// Runs `<exe> --version` (or another short command) in its own process
// group with a time limit and returns what it printed. Blocking: call from a
// worker thread (or a CLI).
// The whole group is killed on timeout, so an npm launcher's native child
// cannot outlive the probe.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace multicad::agent {

struct probe_output {
  bool ran = false;       // the process started and exited by itself within the limit
  int exit_code = -1;
  std::string stdout_text;  // at most 64 KiB
  std::string stderr_text;  // at most 64 KiB
  std::string failure;      // why it did not run or finish ("timed out after 20s", "permission denied")
};

// Requires: exe is a path to an executable (see find_executable).
probe_output probe_version(const std::filesystem::path& exe, std::chrono::milliseconds limit);

// Runs any command the same way (own group, bounded, output capped).
// `env` replaces the environment when given (KEY=VALUE entries).
probe_output run_bounded(const std::filesystem::path& exe, const std::vector<std::string>& args,
                         std::chrono::milliseconds limit, const std::vector<std::string>* env = nullptr);

// Resolves a configured executable: a value containing '/' is a path
// (made absolute against the working directory); otherwise the first
// executable regular file of that name on PATH. Empty when not found.
std::filesystem::path find_executable(const std::string& configured, const std::string& path_env);

}  // namespace multicad::agent
