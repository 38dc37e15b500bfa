// What the watchdogs see of a turn (proto/codex/activity.hpp): one record
// per message during the turn, deltas and item/started included, with a
// kind that says whether the agent progressed, whether a tool call is in
// flight, and a short, escaped description of untrusted text.
#include <catch2/catch.hpp>

#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;
using kind = activity::kind;

namespace {

std::string ids() { return R"("threadId":")" + plain_thread + R"(","turnId":")" + plain_turn + R"(")"; }

std::string command_item(const std::string& method, const std::string& command) {
  json item{{"type", "commandExecution"}, {"id", "call_1"}, {"command", "/bin/bash -lc '" + command + "'"},
            {"cwd", "<workspace>"}, {"status", method == "item/started" ? "inProgress" : "completed"},
            {"commandActions", json::array({{{"type", "unknown"}, {"command", command}}})},
            {"aggregatedOutput", "ok\n"}, {"exitCode", 0}};
  json params{{"item", item}, {"threadId", plain_thread}, {"turnId", plain_turn}};
  return json{{"method", method}, {"params", params}}.dump();
}

std::string notification(const std::string& method, const std::string& params_tail) {
  return R"({"method":")" + method + R"(","params":{)" + ids() + params_tail + "}}";
}

}  // namespace

TEST_CASE("the turn's start and every message of the turn are signs of life whether forwarded or not", "[proto][codex][activity]") {
  driver d;
  d.open_thread(plain_thread);
  CHECK(d.signs.empty());  // the handshake is the start limit's business
  d.answer("turn/start", turn_start_result, {{"@TURN@", plain_turn}});
  REQUIRE(d.signs.size() == 1);
  CHECK(d.signs[0].what == kind::turn_started);

  d.feed(notification("item/completed", R"(,"item":{"type":"userMessage","id":"u1","content":[]})"));
  CHECK(d.signs.back().what == kind::other);  // the prompt's echo
  CHECK(d.signs.back().description == "item/completed userMessage");

  d.feed(command_item("item/started", "npm test"));
  CHECK(d.signs.back().what == kind::item);
  CHECK(d.signs.back().tool_in_flight);
  CHECK(d.signs.back().description == R"(item/started commandExecution "npm test")");

  auto events_before = d.events.size();
  d.feed(notification("item/commandExecution/outputDelta", R"(,"itemId":"call_1","delta":"PASS 3/40\n")"));
  CHECK(d.events.size() == events_before);  // not forwarded ...
  CHECK(d.signs.back().what == kind::progress);  // ... but the command is alive
  CHECK(d.signs.back().tool_in_flight);
  CHECK(d.signs.back().description == R"(item/commandExecution/outputDelta "npm test")");

  d.feed(notification("thread/tokenUsage/updated", R"(,"tokenUsage":{"last":{"inputTokens":1}})"));
  CHECK(d.signs.back().what == kind::other);

  d.feed(command_item("item/completed", "npm test"));
  CHECK(d.signs.back().what == kind::item);
  CHECK_FALSE(d.signs.back().tool_in_flight);

  d.feed(notification("item/reasoning/summaryTextDelta", R"(,"itemId":"rs_1","delta":"**Planning**")"));
  CHECK(d.signs.back().what == kind::progress);
  CHECK(d.signs.back().description == "item/reasoning/summaryTextDelta");

  d.feed(R"({"method":"turn/completed","params":{"threadId":")" + plain_thread + R"(","turn":{"id":")" + plain_turn +
         R"(","items":[],"status":"completed","error":null}}})");
  CHECK(d.signs.back().what == kind::turn_ended);
}

TEST_CASE("the watchdogs now hear command output and reasoning deltas", "[proto][codex][activity]") {
  driver d;
  d.start();
  auto opted_out = d.sent[0]["params"]["capabilities"]["optOutNotificationMethods"];
  for (const char* m : {"item/commandExecution/outputDelta", "item/reasoning/summaryTextDelta", "item/reasoning/textDelta"}) {
    INFO(m);
    CHECK(std::find(opted_out.begin(), opted_out.end(), json(m)) == opted_out.end());
  }
}

TEST_CASE("a retry is not progress but a final error is", "[proto][codex][activity]") {
  driver d;
  d.open_turn();
  d.feed(notification("error", R"(,"error":{"message":"Reconnecting... 1/5"},"willRetry":true)"));
  CHECK(d.signs.back().what == kind::other);
  d.feed(notification("error", R"(,"error":{"message":"high demand"},"willRetry":false)"));
  CHECK(d.signs.back().what == kind::progress);
}

TEST_CASE("a sub-agent's items are progress but not the first item of our turn", "[proto][codex][activity]") {
  driver d;
  d.open_turn();
  d.feed(R"({"method":"item/started","params":{"threadId":"sub-agent","turnId":"t9","item":{"type":"reasoning","id":"rs_9"}}})");
  CHECK(d.signs.back().what == kind::progress);
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"threadId":"sub-agent","turnId":"t9","tokenUsage":{}}})");
  CHECK(d.signs.back().what == kind::other);
}

TEST_CASE("descriptions of agent-chosen text are bounded and escaped", "[proto][codex][activity]") {
  driver d;
  d.open_turn();
  d.feed(command_item("item/started", "echo \"hi\"\n\x1b[2J" + std::string(500, 'x')));
  const auto& text = d.signs.back().description;
  INFO(text);
  CHECK(text.size() < 160);
  CHECK(text.starts_with(R"(item/started commandExecution "echo \"hi\"\n\u001b[2J)"));
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.ends_with("…\""));
  d.feed(R"({"method":"odd\u0007/method","params":{}})");
  CHECK(d.signs.back().description == "odd?/method");
}
