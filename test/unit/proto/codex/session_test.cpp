// The handshake and the framing: initialize, initialized, thread/start or
// thread/resume with explicit settings, turn/start (spec §1.3, §2.1-§2.5).
#include <catch2/catch.hpp>

#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

TEST_CASE("start queues initialize with the client info and the opted-out notifications", "[proto][codex]") {
  driver d;
  d.start();
  REQUIRE(d.sent.size() == 1);
  CHECK(d.sent[0] == json::parse(R"({"id":1,"method":"initialize","params":{
      "clientInfo":{"name":"multicad","title":"Multica","version":"0.1.0"},
      "capabilities":{"experimentalApi":false,"optOutNotificationMethods":["item/agentMessage/delta",
        "account/rateLimits/updated","item/reasoning/summaryTextDelta",
        "item/reasoning/textDelta","remoteControl/status/changed"]}}})"));
  CHECK(d.s.current_state() == session::state::initializing);
}

TEST_CASE("every line the session writes is one compact JSON object without a jsonrpc member", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(R"({"method":"item/tool/requestUserInput","id":0,"params":{"threadId":"01a218ca-5116-…"}})");
  d.s.interrupt("cancelled by the server");
  d.drain();
  REQUIRE(d.raw.size() == 7);  // initialize, initialized, account/read, thread/start, turn/start, error reply, turn/interrupt
  for (const auto& line : d.raw) {
    INFO(line);
    CHECK(line.find('\n') == line.size() - 1);
    auto j = json::parse(line);
    CHECK(j.is_object());
    CHECK_FALSE(j.contains("jsonrpc"));
    CHECK(line == j.dump() + "\n");  // compact: re-dumping changes nothing
  }
}

TEST_CASE("the initialize result is followed by initialized and thread/start with explicit settings", "[proto][codex]") {
  auto config = default_config();
  config.developer_instructions = "You fix bugs.";
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  REQUIRE(d.sent.size() == 4);
  CHECK(d.raw[1] == "{\"method\":\"initialized\"}\n");
  CHECK(d.sent[2] == json::parse(R"({"id":2,"method":"account/read","params":{}})"));
  CHECK(d.sent[3] == json::parse(R"({"id":3,"method":"thread/start","params":{"cwd":"<workspace>",
      "sandbox":"workspace-write","approvalPolicy":"never",
      "config":{"sandbox_workspace_write":{"network_access":true}},
      "model":"mock-model","developerInstructions":"You fix bugs."}})"));
  CHECK(d.s.current_state() == session::state::opening_thread);
}

TEST_CASE("thread/start pins network access off when the intent says so", "[proto][codex]") {
  auto config = default_config();
  config.sandbox.network_access = false;
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  CHECK(d.last()["params"]["config"] == json::parse(R"({"sandbox_workspace_write":{"network_access":false}})"));
}

TEST_CASE("thread/start leaves out what is not set and pins no network outside workspace-write", "[proto][codex]") {
  auto mode = GENERATE(std::string("read-only"), std::string("danger-full-access"));
  auto config = default_config();
  config.model.clear();
  config.sandbox.mode = mode;
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  CHECK(d.last()["params"] == json{{"cwd", "<workspace>"}, {"sandbox", mode}, {"approvalPolicy", "never"}});
}

TEST_CASE("auto accept asks codex for the on-request approval policy", "[proto][codex]") {
  auto config = default_config();
  config.approval_mode = approvals::auto_accept;
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  CHECK(d.last()["params"]["approvalPolicy"] == "on-request");
}

TEST_CASE("replies are accepted with or without a jsonrpc member", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(R"({"jsonrpc":"2.0","id":1,"result":{"userAgent":"x","codexHome":"h","platformFamily":"unix","platformOs":"linux"}})");
  CHECK(d.last()["method"] == "account/read");
  d.feed(R"({"jsonrpc":"2.0","id":2,"result":{"account":null,"requiresOpenaiAuth":false}})");
  CHECK(d.last()["method"] == "thread/start");
  d.feed(fill(thread_result, {{"@ID@", "3"}, {"@THREAD@", "t1"}, {"@SANDBOX@", ww_network_on}}));
  CHECK(d.last()["method"] == "turn/start");
  CHECK(d.events.empty());
}

TEST_CASE("client request ids are integers counting up from 1", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.s.interrupt("timed out after 2h0m0s");
  d.drain();
  CHECK(d.id_of("initialize") == 1);
  CHECK(d.id_of("account/read") == 2);
  CHECK(d.id_of("thread/start") == 3);
  CHECK(d.id_of("turn/start") == 4);
  CHECK(d.id_of("turn/interrupt") == 5);
}

TEST_CASE("turn/start carries the thread id and the prompt as text input", "[proto][codex]") {
  driver d;
  d.open_thread("01a218ca-5116-7650-842a-9a789c96939a");
  CHECK(d.last() == json::parse(R"({"id":4,"method":"turn/start","params":{
      "threadId":"01a218ca-5116-7650-842a-9a789c96939a","input":[{"type":"text","text":"ping"}]}})"));
  CHECK(d.s.current_state() == session::state::starting_turn);
}

TEST_CASE("the turn id comes from the turn/start reply which precedes turn/started", "[proto][codex]") {
  driver d;
  d.open_turn("t1", "turn-9");
  // A notification naming turn-9 is ours without any turn/started.
  d.feed(R"({"method":"item/completed","params":{"item":{"type":"agentMessage","id":"msg_1","text":"hi"},"threadId":"t1","turnId":"turn-9"}})");
  CHECK(d.events == std::vector<event>{text_event("hi")});
}

TEST_CASE("a prior session id resumes the thread with the same explicit settings", "[proto][codex]") {
  auto config = default_config();
  config.resume_thread_id = "01a218ca-5116-7650-842a-9a789c96939a";
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  CHECK(d.last() == json::parse(R"({"id":3,"method":"thread/resume","params":{
      "threadId":"01a218ca-5116-7650-842a-9a789c96939a","cwd":"<workspace>","sandbox":"workspace-write",
      "approvalPolicy":"never","config":{"sandbox_workspace_write":{"network_access":true}},"model":"mock-model"}})"));
  d.answer("thread/resume", thread_result, {{"@THREAD@", config.resume_thread_id}, {"@SANDBOX@", ww_network_on}});
  CHECK(d.last()["method"] == "turn/start");
  d.answer("turn/start", turn_start_result, {{"@TURN@", "turn-2"}});
  d.feed(R"({"method":"item/completed","params":{"item":{"type":"agentMessage","id":"m","text":"again"},"threadId":"01a218ca-5116-7650-842a-9a789c96939a","turnId":"turn-2"}})");
  d.feed(R"({"method":"turn/completed","params":{"threadId":"01a218ca-5116-7650-842a-9a789c96939a","turn":{"id":"turn-2","status":"completed","error":null}}})");
  REQUIRE(d.s.finished());
  CHECK(d.s.result().resumed);
  CHECK(d.s.result().thread_id == config.resume_thread_id);
}

TEST_CASE("a failed resume falls back to one thread/start and says why", "[proto][codex]") {
  auto config = default_config();
  config.resume_thread_id = "12fe45d8-501e-4e00-98ce-e3c318396bcf";
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  json resume_params = d.last()["params"];
  d.feed(R"({"error":{"code":-32600,"message":"no rollout found for thread id 12fe45d8-501e-4e00-98ce-e3c318396bcf"},"id":3})");
  REQUIRE(d.last()["method"] == "thread/start");
  resume_params.erase("threadId");
  CHECK(d.last()["params"] == resume_params);
  const log_note* n = d.find_note("codex thread/resume failed");
  REQUIRE(n);
  CHECK(n->severity == log_note::level::info);
  CHECK(field(*n, "reason") == "no rollout found for thread id 12fe45d8-501e-4e00-98ce-e3c318396bcf");
  CHECK(field(*n, "thread_id") == config.resume_thread_id);
  CHECK(d.events.empty());

  SECTION("the new thread runs the turn and the outcome says it was not resumed") {
    d.answer("thread/start", thread_result, {{"@THREAD@", "new-thread"}, {"@SANDBOX@", ww_network_on}});
    d.answer("turn/start", turn_start_result, {{"@TURN@", "turn-1"}});
    d.s.on_exit(multicad::proto::exit_status::exited(0));
    CHECK(d.s.result().thread_id == "new-thread");
    CHECK_FALSE(d.s.result().resumed);
  }
  SECTION("a failing thread/start is not retried") {
    d.feed(R"({"error":{"code":-32600,"message":"failed to load configuration: boom"},"id":4})");
    REQUIRE(d.s.finished());
    CHECK(d.s.result().result == outcome::status::protocol_error);
    CHECK(d.s.result().error == "failed to load configuration: boom");
    CHECK(d.sent.size() == 5);
  }
}

TEST_CASE("an error reply to a handshake request finishes with protocol_error and codex's message", "[proto][codex]") {
  driver d;
  d.start();
  SECTION("initialize") {
    d.feed(R"({"error":{"code":-32600,"message":"Already initialized"},"id":1})");
    CHECK(d.s.result().error == "Already initialized");
  }
  SECTION("thread/start") {
    d.answer("initialize", initialize_result);
    d.feed(R"({"error":{"code":-32600,"message":"failed to load configuration: $CODEX_HOME/config.toml:1:16: unknown variant `yolo`"},"id":3})");
    CHECK(d.s.result().error == "failed to load configuration: $CODEX_HOME/config.toml:1:16: unknown variant `yolo`");
  }
  SECTION("turn/start") {
    d.answer("initialize", initialize_result);
    d.answer("thread/start", thread_result, {{"@THREAD@", "t1"}, {"@SANDBOX@", ww_network_on}});
    d.feed(R"({"error":{"code":-32600,"message":"thread not found: t1"},"id":4})");
    CHECK(d.s.result().error == "thread not found: t1");
    CHECK(d.s.result().thread_id == "t1");
  }
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::protocol_error);
  auto before = d.sent.size();
  d.feed(R"({"method":"item/fileChange/requestApproval","id":0,"params":{"itemId":"call_1"}})");
  CHECK(d.sent.size() == before);
}

TEST_CASE("an invalid configuration warning finishes with protocol_error and its details", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(R"({"method":"configWarning","params":{"summary":"Invalid configuration; using defaults.","details":"$CODEX_HOME/config.toml:12:35: invalid basic string, expected `\"`","path":"$CODEX_HOME/config.toml","range":{"start":{"line":12,"column":35},"end":{"line":12,"column":35}}},"emittedAtMs":1795712376803})");
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::protocol_error);
  CHECK_THAT(d.s.result().error, Catch::Contains("$CODEX_HOME/config.toml:12:35: invalid basic string"));
  d.answer("initialize", initialize_result);
  CHECK(d.sent.size() == 1);  // no thread/start after the config was found invalid
}

TEST_CASE("other config warnings are info notes and the session carries on", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(R"({"method":"configWarning","params":{"summary":"Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager. See the sandbox prerequisites: https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Codex will use the bundled bubblewrap in the meantime.","details":null},"emittedAtMs":1795712241930})");
  CHECK_FALSE(d.s.finished());
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == log_note::level::info);
  CHECK_THAT(field(d.notes[0], "summary"), Catch::StartsWith("Codex could not find bubblewrap"));
  d.answer("initialize", initialize_result);
  CHECK(d.last()["method"] == "thread/start");
}

TEST_CASE("a second start queues nothing", "[proto][codex]") {
  driver d;
  d.start();
  d.start();
  CHECK(d.sent.size() == 1);
}

TEST_CASE("a reply to a request the session never sent is ignored", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(R"({"id":42,"result":{}})");
  d.feed(R"({"id":"1","result":{}})");
  CHECK(d.sent.size() == 1);
  CHECK(d.events.empty());
  CHECK(d.s.current_state() == session::state::initializing);
}

TEST_CASE("a thread result without a thread id finishes with protocol_error", "[proto][codex]") {
  driver d;
  d.start();
  d.answer("initialize", initialize_result);
  SECTION("missing") { d.feed(R"({"id":3,"result":{"thread":{},"model":"m","sandbox":{"type":"readOnly"}}})"); }
  SECTION("of the wrong type") { d.feed(R"({"id":3,"result":{"thread":{"id":7}}})"); }
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::protocol_error);
  CHECK_THAT(d.s.result().error, Catch::Contains("thread/start"));
}

TEST_CASE("a resume error of any shape still falls back to thread/start", "[proto][codex]") {
  auto config = default_config();
  config.resume_thread_id = "not-a-uuid";
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  d.feed(R"({"error":{"code":-32603,"message":null,"data":{"x":1}},"id":3})");
  CHECK(d.last()["method"] == "thread/start");
  CHECK_THAT(field(*d.find_note("codex thread/resume failed"), "reason"), Catch::Contains("-32603"));
}

TEST_CASE("an error reply without a message still names the request", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(R"({"error":{"code":-32600},"id":1})");
  CHECK(d.s.result().result == outcome::status::protocol_error);
  CHECK_THAT(d.s.result().error, Catch::StartsWith("codex answered initialize with an error and no message"));
}
