// End to end with the REAL Codex CLI: what a task's config.toml switches off
// (execenv/codex_hygiene.hpp) is what Codex offers the model. Codex 0.171
// turns native multi-agent on by default, so without the switch the model is
// offered tools that start sub-agents outside the task's control; and a model
// whose catalog entry selects multi-agent v2 gets them unless agents.enabled
// is off too.
#include <catch2/catch.hpp>

#include <set>

#include "test/support/real_codex_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;

namespace {

// Every tool name in a `tools` list anywhere in the request: the body's own,
// and, for models that take tools in code mode (Codex 0.150+ with a
// catalog model), the `additional_tools` item of the input and its namespaces.
void collect_tools(const json& v, bool in_tools, std::set<std::string>& names) {
  if (v.is_object()) {
    if (in_tools && v.contains("name") && v.at("name").is_string()) names.insert(v.at("name").get<std::string>());
    for (const auto& [key, member] : v.items()) collect_tools(member, key == "tools", names);
  } else if (v.is_array()) {
    for (const auto& e : v) collect_tools(e, in_tools, names);
  }
}

// The names of the tools Codex offered the model in its first request.
std::set<std::string> offered_tools(real_codex_fixture& t) {
  auto requests = t.model.requests();
  REQUIRE_FALSE(requests.empty());
  std::set<std::string> names;
  collect_tools(requests[0].at("body"), false, names);
  REQUIRE_FALSE(names.empty());
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

TEST_CASE("real codex offers no sub-agent tools to a model whose catalog entry selects multi-agent v2", "[e2e]") {
  // Codex 0.171's bundled catalog gives most models `multi_agent_version: "v2"`
  // (gpt-5.6-sol among them, also in 0.150 and 0.160); for those,
  // `features.multi_agent = false` only turns off the V1 fallback and the
  // tools arrive in code mode's additional_tools. [agents].enabled = false
  // is what switches them off.
  auto offered_to_catalog_model = [](std::map<std::string, std::string> env) {
    real_codex_fixture t(std::move(env));
    auto shared = t.dir / "codex-shared/config.toml";
    auto text = read_file(shared);
    const std::string mock = "model = \"mock-model\"";
    REQUIRE(text.find(mock) != std::string::npos);
    text.replace(text.find(mock), mock.size(), "model = \"gpt-5.6-sol\"");
    write_file(shared, text);
    auto id = t.server.add_task(t.workspace);
    REQUIRE(t.wait_status(id, "completed"));
    return offered_tools(t);
  };
  auto off = offered_to_catalog_model({});
  auto on = offered_to_catalog_model({{"MULTICA_CODEX_MULTI_AGENT", "true"}});
  INFO("off: " << joined(off) << "\non: " << joined(on));
  CHECK(offers_sub_agents(on));  // the control: this model really is offered them
  CHECK_FALSE(offers_sub_agents(off));
}
