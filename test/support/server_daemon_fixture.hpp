// The set-up the server-mode integration tests share: a fresh fake Multica
// server with one workspace, one `multicad run` against it, tasks whose fake
// codex takes its scenario from fake_codex_agent(), and waits on a task's status
// that print the daemon's log when they time out. Header-only: it uses
// Catch's macros, which the support library is built without.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/agent/process_tree.hpp"
#include "test/support/daemon_process.hpp"
#include "test/support/fake_server.hpp"
#include "test/support/temp_dir.hpp"

namespace multicad::test {

// A PAT-shaped token the fake server accepts for the fixture's workspace.
inline constexpr const char* fake_server_token = "mul_0123456789abcdef0123456789abcdef01234567";

struct server_daemon_fixture {
  temp_dir dir;
  fake_server server;
  std::string workspace = server.workspace_with_token(fake_server_token);
  std::unique_ptr<daemon_process> daemon;

  // Starts the daemon (replacing one started before) and waits until it is ready.
  daemon_process& start(std::map<std::string, std::string> env = {}) {
    env.emplace("MULTICA_SERVER_URL", server.url());
    env.emplace("MULTICA_TOKEN", fake_server_token);
    daemon = std::make_unique<daemon_process>(dir, env);
    INFO(daemon->log());
    REQUIRE(daemon->wait_ready());
    return *daemon;
  }

  // A task of a new agent whose fake codex runs with `fake_env` (FAKE_CODEX_SCENARIO, …).
  std::string task(const std::map<std::string, std::string>& fake_env = {}) {
    return server.add_task(workspace, {{"agent", fake_codex_agent(dir, fake_env)}});
  }

  std::string status_of(const std::string& id) {
    auto t = server.task(id);
    return t.is_null() ? "gone" : t.at("status").get<std::string>();
  }

  bool wait_status(const std::string& id, const std::string& want,
                   std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    bool ok = eventually([&] { return status_of(id) == want; }, limit);
    if (!ok && daemon) UNSCOPED_INFO("task " << id << " is " << status_of(id) << "; daemon log:\n" << daemon->log());
    return ok;
  }
};

// Processes of a task still alive: every agent process carries MULTICAD_TASK.
inline int task_processes(const std::string& task_id) {
  return static_cast<int>(agent::find_processes_with_env("MULTICAD_TASK", task_id).size());
}

}  // namespace multicad::test
