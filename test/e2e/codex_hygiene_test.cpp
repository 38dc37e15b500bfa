// End to end with the REAL Codex CLI: what a task's config.toml switches off
// (execenv/codex_hygiene.hpp) is what Codex offers the model. Codex 0.171
// turns native multi-agent on by default, so without the switch the model is
// offered tools that start sub-agents outside the task's control.
#include <catch2/catch.hpp>

#include <set>

#include "test/support/real_codex_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;

namespace {

// The names of the tools Codex offered the model in its first request.
std::set<std::string> offered_tools(real_codex_fixture& t) {
  auto requests = t.model.requests();
  REQUIRE_FALSE(requests.empty());
  auto body = requests[0].at("body");
  std::set<std::string> names;
  for (const auto& tool : body.at("tools"))
    names.insert(tool.contains("name") ? tool.at("name").get<std::string>() : tool.value("type", "?"));
  return names;
}

bool offers_sub_agents(const std::set<std::string>& tools) {
  for (const auto& n : tools)
    if (n.find("agent") != std::string::npos) return true;
  return false;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& n : s) out += n + " ";
  return out;
}

}  // namespace

TEST_CASE("real codex in a task is offered no sub-agent tools unless codex.multi_agent is on", "[e2e]") {
  std::set<std::string> off, on;
  {
    real_codex_fixture t;
    // The user's shared config asks for it; the task's config switches it off.
    auto shared = t.dir / "codex-shared/config.toml";
    write_file(shared, read_file(shared) + "\n[features]\nmulti_agent = true\n");
    auto id = t.server.add_task(t.workspace);
    REQUIRE(t.wait_status(id, "completed"));
    off = offered_tools(t);
  }
  {
    real_codex_fixture t(std::map<std::string, std::string>{{"MULTICA_CODEX_MULTI_AGENT", "true"}});
    auto id = t.server.add_task(t.workspace);
    REQUIRE(t.wait_status(id, "completed"));
    on = offered_tools(t);
  }
  INFO("off: " << joined(off) << "\non: " << joined(on));
  CHECK(offers_sub_agents(on));  // the control: Codex's default really offers them
  CHECK_FALSE(offers_sub_agents(off));
}
