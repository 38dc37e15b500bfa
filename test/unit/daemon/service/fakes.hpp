// Test doubles for daemon/service: a command runner that records every
// command and answers from a script, an environment variable set for one
// test, and host facts for a machine that exists only under a temp root.
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/service/command_runner.hpp"
#include "daemon/service/service_spec.hpp"

namespace multicad::test {

struct recording_runner final : service::command_runner {
  std::vector<std::vector<std::string>> calls;
  // Answers each command; by default every command succeeds silently.
  std::function<service::command_output(const std::vector<std::string>&)> respond =
      [](const std::vector<std::string>&) { return service::command_output{0, "", false, false}; };
  service::command_output run(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    return respond(argv);
  }
};

// Sets (or, with nullopt, unsets) one variable; restores it when destroyed.
class scoped_env {
 public:
  scoped_env(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) ::setenv(name_.c_str(), value->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ~scoped_env() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// A Linux host with systemd where root installs; its environment is `env`.
inline service::host_facts linux_host(std::map<std::string, std::string> env = {}) {
  service::host_facts h;
  h.platform = service::platform::linux;
  h.uid = 0;
  h.is_root = true;
  h.binary = "/usr/local/bin/multicad";
  h.home = "/root";
  h.path_env = "/nonexistent/bin";
  h.getenv = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  h.systemd_running = true;
  h.service_user_exists = true;
  return h;
}

// A Mac where user 501 installs a LaunchAgent.
inline service::host_facts mac_host() {
  auto h = linux_host();
  h.platform = service::platform::darwin;
  h.uid = 501;
  h.is_root = false;
  h.home = "/Users/ada";
  h.systemd_running = false;
  return h;
}

}  // namespace multicad::test
