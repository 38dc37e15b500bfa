// `multicad run` as a test fixture: a private home, state folder,
// workspaces root and health port; the fake codex unless told otherwise;
// logs to a file the test can wait on. Stopping it (SIGTERM, then SIGKILL
// of its group) is automatic at the end of the test.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "test/support/child_process.hpp"
#include "test/support/temp_dir.hpp"

namespace multicad::test {

std::string fake_codex_path();

// The folder the fake codex reads per-agent settings from (FAKE_CODEX_AGENT_DIR;
// daemon_process sets it for every daemon of the test).
std::filesystem::path fake_codex_agent_dir(const temp_dir& dir);

// An agent (for a fake server task's "agent") with a name of its own whose
// fake codex runs with `fake_env` (FAKE_CODEX_SCENARIO, ...), written to
// fake_codex_agent_dir() before the task exists.
nlohmann::json fake_codex_agent(const temp_dir& dir, const std::map<std::string, std::string>& fake_env,
                                const std::string& name_prefix = "Builder");

class daemon_process {
 public:
  // As a value in `env`: the variable is not set at all (e.g. MULTICA_LOG_LEVEL,
  // so the configuration file's level applies).
  static constexpr const char* unset = "\x01unset";
  // `env` adds to or replaces the defaults (see daemon_process.cpp).
  explicit daemon_process(const temp_dir& dir, std::map<std::string, std::string> env = {},
                          std::vector<std::string> extra_args = {});
  ~daemon_process();

  int health_port() const { return port_; }
  pid_t pid() const { return child_->pid(); }
  std::string log() const;  // the whole log file so far
  // Waits until the log holds `text`; false at the deadline.
  bool wait_log(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(20)) const;
  // GET /health, parsed; null when the daemon does not answer.
  nlohmann::json health() const;
  bool wait_ready(std::chrono::milliseconds limit = std::chrono::seconds(20)) const;

  void signal(int sig);
  std::optional<int> wait(std::chrono::milliseconds limit);

 private:
  std::filesystem::path log_file_;
  int port_ = 0;
  std::unique_ptr<child_process> child_;
};

// Waits until `pred()` holds; false at the deadline. Polls every 20 ms.
template <class F>
bool eventually(F pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    ::usleep(20'000);
  }
  return pred();
}

}  // namespace multicad::test
