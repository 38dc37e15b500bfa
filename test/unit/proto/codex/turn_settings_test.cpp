// The agent's model, thinking level and service tier (spec agent-toolbox.md
// §11.4) are untrusted input: checked against what the Codex release accepts
// (its app-server schema, docs/codex-compatibility.md), and they reach Codex
// through thread/start and turn/start only when set.
#include "proto/codex/turn_settings.hpp"
#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

namespace {
const std::optional<release> v100 = release{0, 100, 0}, v120 = release{0, 120, 0}, v140 = release{0, 140, 0},
                             v171 = release{0, 171, 0};
}

TEST_CASE("reasoning effort is the schema's enum up to 0.130 and a bounded token after", "[proto][codex]") {
  CHECK(check_turn_settings({"", "high", ""}, v100).empty());
  CHECK(check_turn_settings({"", "xhigh", ""}, v120).empty());
  CHECK(check_turn_settings({"", "turbo", ""}, v120) ==
        "agent.thinking_level \"turbo\" is not one of none, minimal, low, medium, high, xhigh (codex 0.120.0)");
  CHECK(check_turn_settings({"", "turbo", ""}, v140).empty());  // 0.140: any effort the model advertises
  CHECK(check_turn_settings({"", "high\"\nmodel=\"x", ""}, v171) ==
        "agent.thinking_level \"high\"?model=\"x\" is not a reasoning effort name (codex 0.171.0)");
  CHECK_FALSE(check_turn_settings({"", std::string(33, 'a'), ""}, v171).empty());
  CHECK_FALSE(check_turn_settings({"", "turbo", ""}, std::nullopt).empty());  // unknown release: the strict enum
}

TEST_CASE("a service tier needs codex 0.110 and is fast or flex until 0.130", "[proto][codex]") {
  CHECK(check_turn_settings({"", "", "fast"}, v100) ==
        "agent.service_tier \"fast\" needs codex 0.110.0 or later (codex 0.100.0); upgrade codex or clear the "
        "agent's service tier");
  CHECK(check_turn_settings({"", "", "flex"}, v120).empty());
  CHECK_FALSE(check_turn_settings({"", "", "priority"}, v120).empty());
  CHECK(check_turn_settings({"", "", "priority"}, v140).empty());
  CHECK_FALSE(check_turn_settings({"", "", "a b"}, v171).empty());
}

TEST_CASE("a model is a bounded printable token", "[proto][codex]") {
  CHECK(check_turn_settings({"gpt-5.1-codex", "", ""}, v171).empty());
  CHECK(check_turn_settings({"openai/gpt-oss:20b", "", ""}, v171).empty());
  CHECK_THAT(check_turn_settings({"gpt 5", "", ""}, v171), Catch::StartsWith("agent.model \"gpt 5\" is not a model name"));
  CHECK_FALSE(check_turn_settings({std::string(129, 'm'), "", ""}, v171).empty());
  CHECK_FALSE(check_turn_settings({"m\x01", "", ""}, v171).empty());
}

TEST_CASE("effort and tier reach thread/start and turn/start when set", "[proto][codex]") {
  auto config = default_config();
  config.reasoning_effort = "high";
  config.service_tier = "flex";
  driver d(config);
  d.open_turn();
  json thread = d.sent[d.sent.size() - 2];
  REQUIRE(thread["method"] == "thread/start");
  CHECK(thread["params"]["model"] == "mock-model");
  CHECK(thread["params"]["serviceTier"] == "flex");
  CHECK(thread["params"]["config"]["model_reasoning_effort"] == "high");
  json turn = d.sent.back();
  REQUIRE(turn["method"] == "turn/start");
  CHECK(turn["params"]["effort"] == "high");
  CHECK(turn["params"]["serviceTier"] == "flex");
}

TEST_CASE("effort and tier are not sent when the agent has none", "[proto][codex]") {
  driver d;
  d.open_turn();
  json thread = d.sent[d.sent.size() - 2];
  CHECK_FALSE(thread["params"].contains("serviceTier"));
  CHECK_FALSE(thread["params"]["config"].contains("model_reasoning_effort"));
  CHECK_FALSE(d.sent.back()["params"].contains("effort"));
  CHECK_FALSE(d.sent.back()["params"].contains("serviceTier"));
}

TEST_CASE("a resumed thread gets the same effort and tier", "[proto][codex]") {
  auto config = default_config();
  config.resume_thread_id = plain_thread;
  config.reasoning_effort = "low";
  config.service_tier = "fast";
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  json resume = d.sent.back();
  REQUIRE(resume["method"] == "thread/resume");
  CHECK(resume["params"]["serviceTier"] == "fast");
  CHECK(resume["params"]["config"]["model_reasoning_effort"] == "low");
}
