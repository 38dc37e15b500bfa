// Drives a JSON-RPC peer over newline-delimited stdio (the Codex app-server
// framing: no "jsonrpc" member) for tests. Every call has a deadline.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "test/support/child_process.hpp"

namespace multicad::test {

class jsonrpc_client {
 public:
  explicit jsonrpc_client(child_process& child) : child_(child) {}

  // Sends a request and returns the matching response ({"result":..} or
  // {"error":..}); notifications seen meanwhile are kept in notifications().
  nlohmann::json call(const std::string& method, const nlohmann::json& params,
                      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    int id = next_id_++;
    child_.write(nlohmann::json{{"id", id}, {"method", method}, {"params", params}}.dump() + "\n");
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error(method + ": no response in time; stderr: " + child_.stderr_text());
      auto line = child_.read_line(left);
      if (!line) throw std::runtime_error(method + ": stdout ended; stderr: " + child_.stderr_text());
      auto msg = nlohmann::json::parse(*line, nullptr, false);
      if (msg.is_discarded()) throw std::runtime_error("not JSON from peer: " + *line);
      if (msg.contains("id") && msg["id"] == id && !msg.contains("method")) return msg;
      notifications_.push_back(std::move(msg));
    }
  }

  void notify(const std::string& method) { child_.write(nlohmann::json{{"method", method}}.dump() + "\n"); }

  const std::vector<nlohmann::json>& notifications() const { return notifications_; }

 private:
  child_process& child_;
  int next_id_ = 1;
  std::vector<nlohmann::json> notifications_;
};

}  // namespace multicad::test
