// The Node mock Responses API (test/fakes/mock_model.js) as a test
// fixture, and the Codex config.toml that points the real Codex at it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "test/support/child_process.hpp"

namespace multicad::test {

class mock_model {
 public:
  mock_model();
  int port() const { return port_; }
  // The user config.toml (spec §7.1) for a shared Codex home.
  std::string codex_config() const;
  void script(const nlohmann::json& steps);
  nlohmann::json requests();

 private:
  std::unique_ptr<child_process> node_;
  int port_ = 0;
};

}  // namespace multicad::test
