#include "test/support/fake_server.hpp"

#include <stdexcept>

#include "test/support/http.hpp"

namespace multicad::test {

fake_server::fake_server() {
  node_ = std::make_unique<child_process>(
      child_options{{"/usr/bin/env", "node", std::string(MULTICAD_SOURCE_DIR) + "/test/fakes/fake_server.js"}, {}, {}, {}});
  auto line = node_->read_line(std::chrono::seconds(20));
  if (!line) throw std::runtime_error("fake server did not start: " + node_->stderr_text());
  port_ = nlohmann::json::parse(*line).at("port").get<int>();
}

nlohmann::json fake_server::control(const std::string& method, const std::string& path, const nlohmann::json& body) {
  auto r = http_request(port_, method, path, body.is_null() ? "" : body.dump());
  if (r.status < 200 || r.status >= 300)
    throw std::runtime_error(method + " " + path + " -> " + std::to_string(r.status) + ": " + r.body);
  return r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body);
}

std::string fake_server::workspace_with_token(const std::string& token, const std::string& name) {
  auto id = control("POST", "/_fake/workspaces", {{"name", name}}).at("id").get<std::string>();
  control("POST", "/_fake/tokens", {{"token", token}, {"workspace_ids", {id}}});
  return id;
}

std::string fake_server::add_task(const std::string& workspace_id, const nlohmann::json& extra) {
  nlohmann::json body = extra;
  body["workspace_id"] = workspace_id;
  if (!body.contains("agent") && !body.contains("agent_id")) body["agent"] = {{"name", "Builder"}, {"instructions", "Be brief."}};
  return control("POST", "/_fake/tasks", body).at("task_id").get<std::string>();
}

nlohmann::json fake_server::task(const std::string& task_id) {
  auto all = state();  // not `state().at(...)` in the loop header: that would dangle
  for (const auto& t : all.at("tasks"))
    if (t.at("id") == task_id) return t;
  return nullptr;
}

}  // namespace multicad::test
