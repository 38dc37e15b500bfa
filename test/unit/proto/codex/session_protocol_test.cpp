// A Codex that answers outside the protocol fails the task at once, with a
// reason naming its version and what was unexpected (issue 13), never a
// silent wait. The shapes are the drift scenarios of the fake Codex
// (test/fakes/lib/codex_scenarios.js), written to spec §2.1, §2.3, §2.5, §4.2.
#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

namespace {

session_config with_version(std::string version) {
  auto c = default_config();
  c.codex_version = std::move(version);
  return c;
}

const char* completed_turn(const std::string& turn_json) {
  static std::string line;
  line = R"({"method":"turn/completed","params":{"threadId":"01a218ca-5116-…","turn":)" + turn_json + "}}";
  return line.c_str();
}

void check_deviation(const driver& d, const std::string& reason) {
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::protocol_error);
  CHECK(d.s.result().error == reason);
  const log_note* n = d.find_note("codex answered outside the protocol; the task fails");
  REQUIRE(n);
  CHECK(n->severity == log_note::level::warn);
}

}  // namespace

TEST_CASE("an initialize result without userAgent fails naming the version", "[proto][codex]") {
  driver d(with_version("0.140.0"));
  d.start();
  d.feed(R"({"id":1,"result":{"codexHome":"/h"}})");
  check_deviation(d, "codex 0.140.0: initialize answered without userAgent; supported: 0.100.0\u20130.171.0");
  CHECK(field(*d.find_note("codex answered outside"), "codex_version") == "0.140.0");
}

TEST_CASE("the version comes from initialize's userAgent when the daemon did not detect one", "[proto][codex]") {
  driver d;  // codex_version empty
  d.start();
  d.answer("initialize", initialize_result);  // "multicad/0.171.0 (Debian 12.0.0; ...)"
  d.feed(fill(R"({"id":@ID@,"result":{"thread":{"preview":""},"model":"m","sandbox":{"type":"readOnly"}}})",
              {{"@ID@", std::to_string(d.id_of("thread/start"))}}));
  check_deviation(d, "codex 0.171.0: thread/start answered without thread.id; supported: 0.100.0\u20130.171.0");
}

TEST_CASE("a thread/resume result without thread.id fails the same way", "[proto][codex]") {
  auto config = with_version("0.120.0");
  config.resume_thread_id = plain_thread;
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  d.feed(fill(R"({"id":@ID@,"result":{"thread":{},"model":"m"}})", {{"@ID@", std::to_string(d.id_of("thread/resume"))}}));
  check_deviation(d, "codex 0.120.0: thread/resume answered without thread.id; supported: 0.100.0\u20130.171.0");
}

TEST_CASE("a thread result that is not an object fails the task", "[proto][codex]") {
  driver d(with_version("0.171.0"));
  d.start();
  d.answer("initialize", initialize_result);
  d.feed(fill(R"({"id":@ID@,"result":"01a218ca"})", {{"@ID@", std::to_string(d.id_of("thread/start"))}}));
  check_deviation(d, "codex 0.171.0: thread/start answered with something other than an object; supported: 0.100.0\u20130.171.0");
}

TEST_CASE("a turn/start result without turn.id fails the task", "[proto][codex]") {
  driver d(with_version("0.100.0"));
  d.open_thread(plain_thread);
  d.feed(fill(R"({"id":@ID@,"result":{"turn":{"items":[],"status":"inProgress"}}})",
              {{"@ID@", std::to_string(d.id_of("turn/start"))}}));
  check_deviation(d, "codex 0.100.0: turn/start answered without turn.id; supported: 0.100.0\u20130.171.0");
}

TEST_CASE("turn/completed with a status this daemon does not know fails the task", "[proto][codex]") {
  driver d(with_version("0.172.0"));
  d.open_turn();
  d.feed(completed_turn(R"({"id":"01a218ca-513f-…","items":[],"status":"paused","error":null})"));
  check_deviation(d, "codex 0.172.0: turn/completed with an unknown status \"paused\"; supported: 0.100.0\u20130.171.0");
}

TEST_CASE("an unreadable turn/completed for our turn fails instead of being skipped", "[proto][codex]") {
  driver d(with_version("0.172.0"));
  d.open_turn();
  d.feed(completed_turn(R"("completed")"));
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::protocol_error);
  CHECK_THAT(d.s.result().error,
             Catch::StartsWith("codex 0.172.0: turn/completed in a shape multicad cannot read (params.turn is a string") &&
                 Catch::EndsWith("; supported: 0.100.0\u20130.171.0"));
}

TEST_CASE("a required method the release does not know fails naming it", "[proto][codex]") {
  driver d(with_version("0.99.0"));
  d.start();
  d.answer("initialize", initialize_result);
  d.feed(fill(R"({"id":@ID@,"error":{"code":-32600,"message":"Invalid request: unknown variant `thread/start`, expected one of `initialize`"}})",
              {{"@ID@", std::to_string(d.id_of("thread/start"))}}));
  check_deviation(d, "codex 0.99.0: thread/start is unknown to it (Invalid request: unknown variant `thread/start`, "
                     "expected one of `initialize`); supported: 0.100.0\u20130.171.0");
}

TEST_CASE("a deviation from a Codex of unknown version says so", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(R"({"id":1,"result":{"userAgent":"multicad/nightly"}})");
  d.feed(fill(R"({"id":@ID@,"result":{"account":null,"requiresOpenaiAuth":false}})", {{"@ID@", std::to_string(d.id_of("account/read"))}}));
  d.feed(fill(R"({"id":@ID@,"result":{"thread":{}}})", {{"@ID@", std::to_string(d.id_of("thread/start"))}}));
  check_deviation(d, "codex (version unknown): thread/start answered without thread.id; supported: 0.100.0\u20130.171.0");
}
