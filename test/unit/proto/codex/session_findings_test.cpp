// Regressions for what fuzzing found in the session (fuzz/README.md).
#include <catch2/catch.hpp>

#include "session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

TEST_CASE("absurd token counts saturate instead of overflowing", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"tokenUsage":{"last":{"inputTokens":95}}}})");
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"tokenUsage":{"last":{"inputTokens":9223372036854775807}}}})");
  d.s.on_exit(multicad::proto::exit_status::exited(0));
  REQUIRE(d.s.result().usage.size() == 1);
  CHECK(d.s.result().usage[0].input_tokens == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("every tool_use gets a tool_result whatever ends the session", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(R"({"method":"item/started","params":{"item":{"type":"commandExecution","id":"c1","command":"ls"}}})");
  d.feed(R"({"method":"configWarning","params":{"summary":"Invalid configuration; using defaults."}})");
  REQUIRE(d.s.finished());
  CHECK(d.events_of(event::kind::tool_use).size() == 1);
  REQUIRE(d.events_of(event::kind::tool_result).size() == 1);
  CHECK(d.events_of(event::kind::tool_result)[0].call_id == "c1");
}
