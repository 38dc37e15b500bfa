// The Node fake Multica server (test/fakes/fake_server.js) as a test
// fixture: started on a free loopback port, stopped (with its process
// group) when the fixture goes out of scope. Control API per
// test/fakes/README.md.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "test/support/child_process.hpp"

namespace multicad::test {

class fake_server {
 public:
  fake_server();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Control API; throws on a non-2xx answer (a broken test setup).
  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr);
  nlohmann::json state() { return control("GET", "/_fake/state"); }
  nlohmann::json calls() { return control("GET", "/_fake/calls"); }

  // A workspace with a token that can see it; returns the workspace id.
  std::string workspace_with_token(const std::string& token, const std::string& name = "ws");
  // Queues a task (the daemon must have registered its runtime); returns the task id.
  std::string add_task(const std::string& workspace_id, const nlohmann::json& extra = nlohmann::json::object());
  // The task's entry in /_fake/state.
  nlohmann::json task(const std::string& task_id);

 private:
  std::unique_ptr<child_process> node_;
  int port_ = 0;
};

}  // namespace multicad::test
