#include <catch2/catch.hpp>

#include "proto/lifecycle/message_batcher.hpp"
#include "proto/utf8.hpp"

using namespace multicad::proto::lifecycle;
using ev = multicad::proto::codex::event;

namespace {
ev text(std::string s) { return {ev::kind::text, "", "", std::move(s)}; }
ev thinking(std::string s) { return {ev::kind::thinking, "", "", std::move(s)}; }
ev use(std::string call, std::string tool = "exec_command") { return {ev::kind::tool_use, tool, call, "", "{\"command\":\"ls\"}"}; }
ev result(std::string call, std::string out, std::string tool = "") { return {ev::kind::tool_result, tool, call, "", "", out}; }
}  // namespace

TEST_CASE("tools take the next seq at once and text is coalesced at flush", "[proto][batcher]") {
  message_batcher b;
  b.add(text("Looking"));
  b.add(use("c1"));
  b.add(text("around."));
  b.add(thinking("plan"));
  b.add(result("c1", "file.txt\n"));
  auto m = b.flush();
  REQUIRE(m.size() == 4);
  CHECK(m[0].seq == 1);
  CHECK(m[0].type == "tool_use");
  CHECK(m[0].input_json == "{\"command\":\"ls\"}");
  CHECK(m[1].type == "tool_result");
  CHECK(m[1].tool == "exec_command");  // filled from the call
  CHECK(m[2].type == "thinking");
  CHECK(m[2].seq == 3);
  CHECK(m[3].type == "text");
  CHECK(m[3].content == "Looking\n\naround.");
  CHECK(b.flush().empty());
  b.add(text("more"));
  CHECK(b.flush().at(0).seq == 5);  // seq keeps counting across flushes
}

TEST_CASE("tool output is capped at 8 KiB without splitting a UTF-8 character", "[proto][batcher]") {
  message_batcher b;
  std::string out(tool_output_cap - 1, 'x');
  out += "\xC3\xA9tail";  // a two-byte character straddles the cap
  b.add(result("c", out, "exec_command"));
  auto m = b.flush();
  CHECK(m.at(0).output.size() == tool_output_cap - 1);
  CHECK(multicad::proto::utf8_prefix("abc", 10) == "abc");
}

TEST_CASE("past the bound tool events are counted and reported once", "[proto][batcher]") {
  message_batcher b(3);
  for (int i = 0; i < 10; ++i) b.add(use("c" + std::to_string(i)));
  auto m = b.flush();
  REQUIRE(m.size() == 4);
  CHECK(m[3].type == "error");
  CHECK_THAT(m[3].content, Catch::StartsWith("7 agent events were not forwarded"));
  CHECK(b.dropped_total() == 7);
  b.add(use("d"));
  CHECK(b.flush().size() == 1);
}

TEST_CASE("errors pass through in order", "[proto][batcher]") {
  message_batcher b;
  b.add({ev::kind::error, "", "", "boom"});
  auto m = b.flush();
  CHECK(m.at(0).type == "error");
  CHECK(m.at(0).content == "boom");
  CHECK(m.at(0).seq == 1);
}
