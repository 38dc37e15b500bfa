#include "test/support/mock_model.hpp"

#include <stdexcept>

#include "test/support/http.hpp"

namespace multicad::test {

mock_model::mock_model() {
  node_ = std::make_unique<child_process>(
      child_options{{"/usr/bin/env", "node", std::string(MULTICAD_SOURCE_DIR) + "/test/fakes/mock_model.js"}, {}, {}, {}});
  auto line = node_->read_line(std::chrono::seconds(20));
  if (!line) throw std::runtime_error("mock model did not start: " + node_->stderr_text());
  port_ = nlohmann::json::parse(*line).at("port").get<int>();
}

std::string mock_model::codex_config() const {
  return "model = \"mock-model\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\nname = \"mock\"\n"
         "base_url = \"http://127.0.0.1:" + std::to_string(port_) + "/v1\"\nwire_api = \"responses\"\n"
         "request_max_retries = 0\nstream_max_retries = 0\nsupports_websockets = false\n";
}

void mock_model::script(const nlohmann::json& steps) {
  auto r = http_request(port_, "POST", "/_mock/script", nlohmann::json{{"steps", steps}}.dump());
  if (r.status != 200) throw std::runtime_error("mock script refused: " + r.body);
}

nlohmann::json mock_model::requests() {
  return nlohmann::json::parse(http_request(port_, "GET", "/_mock/requests").body);
}

}  // namespace multicad::test
