// What the session does with bad input, a dying process and interrupts at
// every point of its life: report, carry on or finish, and never throw.
#include <catch2/catch.hpp>

#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

namespace {

const char* agent_message =
    R"({"method":"item/completed","params":{"item":{"type":"agentMessage","id":"msg_1","text":"pong"},"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…"}})";
const char* turn_done =
    R"({"method":"turn/completed","params":{"threadId":"01a218ca-5116-…","turn":{"id":"01a218ca-513f-…","status":"completed","error":null}}})";

// Walks a fresh session to `target`.
driver at(session::state target) {
  driver d;
  if (target == session::state::created) return d;
  d.start();
  if (target == session::state::initializing) return d;
  d.answer("initialize", initialize_result);
  if (target == session::state::opening_thread) return d;
  d.answer("thread/start", thread_result, {{"@THREAD@", plain_thread}, {"@SANDBOX@", ww_network_on}});
  if (target == session::state::starting_turn) return d;
  d.answer("turn/start", turn_start_result, {{"@TURN@", plain_turn}});
  return d;
}

const session::state before_turn[] = {session::state::created, session::state::initializing,
                                      session::state::opening_thread, session::state::starting_turn};

}  // namespace

TEST_CASE("a line that is not JSON becomes an error event and a warning and the turn goes on", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.feed("Error: something printed to stdout");
  CHECK(d.events == std::vector<event>{error_event("codex wrote a line that is not JSON: Error: something printed to stdout")});
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == log_note::level::warn);
  d.feed_all({agent_message, turn_done});
  CHECK(d.s.result().result == outcome::status::completed);
}

TEST_CASE("only the first 200 bytes of a bad line are quoted and cut on a character boundary", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.feed(std::string(199, 'x') + "é" + std::string(500, 'y'));  // é straddles byte 200
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].content == "codex wrote a line that is not JSON: " + std::string(199, 'x'));
}

TEST_CASE("bytes that are not UTF-8 are replaced so the event can be sent as JSON", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.feed(std::string("bad \xff\xfe bytes"));
  REQUIRE(d.events.size() == 1);
  CHECK_NOTHROW(json(d.events[0].content).dump());
  CHECK_THAT(d.events[0].content, Catch::StartsWith("codex wrote a line that is not JSON: bad "));
}

TEST_CASE("JSON that is not a readable message is reported without throwing", "[proto][codex]") {
  auto line = GENERATE(as<std::string>{}, "[1,2]", "42", R"("text")", "null", R"({"method":5})",
                       R"({"id":true,"result":{}})", R"({"id":1.5,"result":{}})", R"({"method":"x","params":[1]})",
                       R"({"id":1})", R"({"emittedAtMs":1})", R"({"id":2,"error":"boom"})",
                       R"({"method":"item/completed","params":{"item":{"type":"agentMessage","id":"m","text":7},"threadId":"01a218ca-5116-…"}})",
                       R"({"method":"item/started","params":{"item":"not an object"}})",
                       R"({"method":"thread/tokenUsage/updated","params":{"tokenUsage":{"last":{"inputTokens":"10"}}}})",
                       R"({"method":"configWarning","params":{"summary":false}})");
  driver d = at(session::state::in_turn);
  CHECK_NOTHROW(d.feed(line));
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == event::kind::error);
  CHECK_THAT(d.events[0].content, Catch::StartsWith("codex wrote a line that is not"));
  CHECK(d.notes.back().severity == log_note::level::warn);
  CHECK(d.s.current_state() == session::state::in_turn);
  CHECK(d.s.result().usage.empty());  // nothing half-applied
}

TEST_CASE("an overlong line becomes an error event naming its size", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.s.on_overlong_line(16777217);
  d.drain();
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == event::kind::error);
  CHECK_THAT(d.events[0].content, Catch::Contains("16777217 bytes") && Catch::Contains("dropped"));
  CHECK_FALSE(d.s.finished());
}

TEST_CASE("an exit before the turn starts finishes with exited and says so", "[proto][codex]") {
  for (auto state : before_turn) {
    driver d = at(state);
    d.s.on_exit(multicad::proto::exit_status::exited(1));
    d.drain();
    REQUIRE(d.s.finished());
    CHECK(d.s.result().result == outcome::status::exited);
    CHECK(d.s.result().error == "codex exited (status 1) before it started");
  }
}

TEST_CASE("an exit during the turn finishes with exited and closes running tools", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.feed(R"({"method":"item/started","params":{"item":{"type":"commandExecution","id":"call_1","command":"sleep 30","cwd":"/w","status":"inProgress","commandActions":[]},"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…"}})");
  d.feed(agent_message);
  d.s.on_exit(multicad::proto::exit_status::exited(0));
  d.drain();
  CHECK(d.s.result().result == outcome::status::exited);
  CHECK(d.s.result().error == "codex exited (status 0) before the turn finished");
  CHECK(d.s.result().thread_id == plain_thread);
  CHECK(d.s.result().final_output == "pong");
  CHECK(d.events.back() == tool_result("exec_command", "call_1", "aborted: the turn ended before this finished"));
}

TEST_CASE("an exit without a status says the status is unknown", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.s.on_exit(multicad::proto::exit_status::unknown("no status"));
  CHECK(d.s.result().error == "codex exited (status unknown) before the turn finished");
}

TEST_CASE("a kill by a signal is told apart from an exit code", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.s.on_exit(multicad::proto::exit_status::killed(9));
  CHECK(d.s.result().result == outcome::status::exited);
  CHECK(d.s.result().error == "codex was killed by SIGKILL before the turn finished");
}

TEST_CASE("an exit after the session finished changes nothing", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.feed_all({agent_message, turn_done});
  d.s.on_exit(multicad::proto::exit_status::exited(137));
  CHECK(d.s.result().result == outcome::status::completed);
  CHECK(d.s.result().error.empty());
}

TEST_CASE("an exit while an interrupt is pending keeps the interrupt's reason", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.s.interrupt("timed out after 2h0m0s");
  d.s.on_exit(multicad::proto::exit_status::exited(0));
  CHECK(d.s.result().result == outcome::status::interrupted);
  CHECK(d.s.result().error == "timed out after 2h0m0s");
}

TEST_CASE("an interrupt before the turn finishes at once without writing anything", "[proto][codex]") {
  for (auto state : before_turn) {
    driver d = at(state);
    auto written = d.sent.size();
    d.s.interrupt("cancelled by the server");
    d.drain();
    REQUIRE(d.s.finished());
    CHECK(d.s.result().result == outcome::status::interrupted);
    CHECK(d.s.result().error == "cancelled by the server");
    CHECK(d.sent.size() == written);
    // Replies still in flight change nothing.
    std::int64_t last_id = d.sent.empty() ? 1 : d.sent.back()["id"].get<std::int64_t>();
    d.feed(fill(turn_start_result, {{"@ID@", std::to_string(last_id)}, {"@TURN@", "late"}}));
    CHECK(d.sent.size() == written);
    CHECK(d.s.result().result == outcome::status::interrupted);
  }
}

TEST_CASE("a second interrupt sends nothing more", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.s.interrupt("cancelled by the server");
  d.s.interrupt("shutting down");
  d.drain();
  CHECK(d.sent.size() == 6);  // initialize, initialized, account/read, thread/start, turn/start, turn/interrupt
  d.feed(R"({"method":"turn/completed","params":{"threadId":"01a218ca-5116-…","turn":{"id":"01a218ca-513f-…","status":"interrupted","error":null}}})");
  CHECK(d.s.result().error == "cancelled by the server");
}

TEST_CASE("a refused turn/interrupt ends the session as interrupted", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.s.interrupt("cancelled by the server");
  d.drain();
  d.feed(R"({"error":{"code":-32600,"message":"no active turn to interrupt"},"id":)" +
         std::to_string(d.id_of("turn/interrupt")) + "}");
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::interrupted);
  CHECK(d.s.result().error == "cancelled by the server");
}

TEST_CASE("after the session finished no call writes a line", "[proto][codex]") {
  driver d = at(session::state::in_turn);
  d.feed_all({agent_message, turn_done});
  REQUIRE(d.s.finished());
  auto written = d.sent.size();
  d.s.interrupt("late cancel");
  d.s.start();
  d.s.on_overlong_line(100);
  d.feed(R"({"method":"item/commandExecution/requestApproval","id":0,"params":{"itemId":"x","command":"ls"}})");
  d.feed(R"({"method":"item/tool/requestUserInput","id":1,"params":{}})");
  d.feed("not json");
  d.feed(R"({"method":"serverRequest/resolved","params":{"threadId":"01a218ca-5116-…","requestId":0}})");
  d.s.on_exit(multicad::proto::exit_status::exited(0));
  d.drain();
  CHECK(d.sent.size() == written);
  CHECK(d.events == std::vector<event>{text_event("pong")});
  CHECK(d.s.result().result == outcome::status::completed);
}

TEST_CASE("a session can be moved between owners", "[proto][codex]") {
  session a(default_config());
  a.start();
  session b(std::move(a));
  CHECK(b.take_lines().size() == 1);
  CHECK(b.current_state() == session::state::initializing);
}
