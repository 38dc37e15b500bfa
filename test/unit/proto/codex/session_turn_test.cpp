// One turn, driven with lines captured from Codex 0.171.0 (spec §4): the
// events it produces and how it ends.
#include <catch2/catch.hpp>

#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

namespace {

// Captures come from several runs; each swaps its run's ids for the test's.
using swaps = std::vector<std::pair<std::string, std::string>>;
swaps from_run(const std::string& thread, const std::string& turn) {
  return {{thread, plain_thread}, {turn, plain_turn}};
}

// §4.3 commandExecution (started and completed came from two runs).
const char* command_started =
    R"J({"method":"item/started","params":{"item":{"type":"commandExecution","id":"call_1","pluginId":null,"scriptPath":null,"command":"/bin/bash -lc 'touch made_by_cmd.txt'","cwd":"<workspace>","processId":null,"source":"agent","status":"inProgress","commandActions":[{"type":"unknown","command":"touch made_by_cmd.txt"}],"aggregatedOutput":null,"exitCode":null,"durationMs":null,"startedAtMs":1795712354048,"completedAtMs":null},"threadId":"01a218cc-0650-…","turnId":"01a218cc-0668-…","startedAtMs":1795712354048},"emittedAtMs":1795712354050})J";
const char* command_delta =
    R"J({"method":"item/commandExecution/outputDelta","params":{"threadId":"01a218ca-78b3-…","turnId":"01a218ca-78c4-…","itemId":"call_1","delta":"write_ws_rc=0\n"},"emittedAtMs":1795712252461})J";
const char* command_completed =
    R"J({"method":"item/completed","params":{"item":{"type":"commandExecution","id":"call_1","pluginId":null,"scriptPath":null,"command":"/bin/bash -lc 'touch /var/tmp/esc.txt && echo ok'","cwd":"<workspace>","processId":"12726","source":"unifiedExecStartup","status":"completed","commandActions":[{"type":"unknown","command":"touch /var/tmp/esc.txt && echo ok"}],"aggregatedOutput":"ok\n","exitCode":0,"durationMs":84,"startedAtMs":1795712357692,"completedAtMs":1795712357935},"threadId":"01a218cc-148a-…","turnId":"01a218cc-149b-…","contentTokenCount":null,"completedAtMs":1795712357935},"emittedAtMs":1795712357937})J";

// §4.3 agentMessage and userMessage, §4.2 turn/started and turn/completed.
const char* turn_started =
    R"J({"method":"turn/started","params":{"threadId":"01a218ca-5116-…","turn":{"id":"01a218ca-513f-…","rootTurnId":"01a218ca-513f-…","items":[],"itemsView":"notLoaded","status":"inProgress","error":null,"startedAt":1795712241,"completedAt":null,"durationMs":null}},"emittedAtMs":1795712242044})J";
const char* user_message =
    R"J({"method":"item/completed","params":{"item":{"type":"userMessage","id":"01a218ca-518e-…","clientId":null,"content":[{"type":"text","text":"ping","text_elements":[]}],"startedAtMs":1795712242067,"completedAtMs":1795712242067},"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","contentTokenCount":null,"completedAtMs":1795712242067},"emittedAtMs":1795712242081})J";
const char* agent_started =
    R"J({"method":"item/started","params":{"item":{"type":"agentMessage","moderation":null,"id":"msg_1","text":"","phase":null,"memoryCitation":null,"delivery":null,"questions":null,"startedAtMs":1795712242119,"completedAtMs":null},"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","startedAtMs":1795712242119},"emittedAtMs":1795712242120})J";
const char* agent_delta =
    R"J({"method":"item/agentMessage/delta","params":{"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","itemId":"msg_1","delta":"pong from mock"},"emittedAtMs":1795712242120})J";
const char* agent_completed =
    R"J({"method":"item/completed","params":{"item":{"type":"agentMessage","moderation":null,"id":"msg_1","text":"pong from mock","phase":null,"memoryCitation":null,"delivery":null,"questions":null,"startedAtMs":1795712242119,"completedAtMs":1795712242121},"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","contentTokenCount":null,"completedAtMs":1795712242121},"emittedAtMs":1795712242124})J";
const char* turn_completed =
    R"J({"method":"turn/completed","params":{"threadId":"01a218ca-5116-…","turn":{"id":"01a218ca-513f-…","rootTurnId":"01a218ca-513f-…","items":[{"type":"agentMessage","moderation":null,"id":"msg_1","text":"pong from mock","phase":null,"memoryCitation":null,"delivery":null,"questions":null,"startedAtMs":1795712242119,"completedAtMs":1795712242121}],"itemsView":"summary","status":"completed","error":null,"startedAt":1795712241,"completedAt":1795712242,"durationMs":148}},"emittedAtMs":1795712242148})J";
const char* token_usage =
    R"J({"method":"thread/tokenUsage/updated","params":{"threadId":"01a218ca-78b3-…","turnId":"01a218ca-78c4-…","tokenUsage":{"total":{"totalTokens":15,"inputTokens":10,"cachedInputTokens":0,"cacheWriteInputTokens":0,"outputTokens":5,"reasoningOutputTokens":0},"last":{"totalTokens":15,"inputTokens":10,"cachedInputTokens":0,"cacheWriteInputTokens":0,"outputTokens":5,"reasoningOutputTokens":0},"modelContextWindow":258400}},"emittedAtMs":1795712252493})J";

const char* status_active =
    R"J({"method":"thread/status/changed","params":{"threadId":"01a218ca-5116-…","status":{"type":"active","activeFlags":[]}},"emittedAtMs":1795712242040})J";
const char* status_idle =
    R"J({"method":"thread/status/changed","params":{"threadId":"01a218ca-5116-…","status":{"type":"idle"}},"emittedAtMs":1795712242140})J";

// §4.2: a 401 turn, §4.5: a non-retried error and a retry.
const char* failed_401 =
    R"J({"method":"turn/completed","params":{"threadId":"01a218cb-4830-…","turn":{"id":"01a218cb-483e-…","rootTurnId":"01a218cb-483e-…","items":[],"itemsView":"notLoaded","status":"failed","error":{"message":"unexpected status 401 Unauthorized: mock unauthorized, url: http://127.0.0.1:<port>/v1/responses","codexErrorInfo":{"httpConnectionFailed":{"httpStatusCode":401}},"additionalDetails":null,"misalignment":null},"startedAt":1795712305,"completedAt":1795712305,"durationMs":93}},"emittedAtMs":1795712305321})J";
const char* error_final =
    R"J({"method":"error","params":{"error":{"message":"We’re currently experiencing high demand, which may cause temporary errors.","codexErrorInfo":"internalServerError","additionalDetails":null,"misalignment":null},"willRetry":false,"threadId":"01a218cb-3422-…","turnId":"01a218cb-3432-…"},"emittedAtMs":1795712300179})J";
const char* error_retry =
    R"J({"method":"error","params":{"error":{"message":"Reconnecting... 1/1","codexErrorInfo":{"responseStreamDisconnected":{"httpStatusCode":null}},"additionalDetails":"stream disconnected before completion: Transport error: network error: error decoding response body","misalignment":null},"willRetry":true,"threadId":"01a218cb-56b8-…","turnId":"01a218cb-56c5-…"},"emittedAtMs":1795712309021})J";
const char* interrupted =
    R"J({"method":"turn/completed","params":{"threadId":"01a218cb-1910-…","turn":{"id":"01a218cb-191e-…","rootTurnId":"01a218cb-191e-…","items":[],"itemsView":"notLoaded","status":"interrupted","error":null,"startedAt":1795712293,"completedAt":1795712294,"durationMs":1031}},"emittedAtMs":1795712294185})J";

std::string completed_with(const std::string& status) {
  return R"({"method":"turn/completed","params":{"threadId":")" + plain_thread + R"(","turn":{"id":")" + plain_turn +
         R"(","items":[],"status":")" + status + R"(","error":null}}})";
}

std::string item_completed(const std::string& item) {
  return R"({"method":"item/completed","params":{"item":)" + item + R"(,"threadId":")" + plain_thread +
         R"(","turnId":")" + plain_turn + R"("}})";
}

std::string item_started(const std::string& item) {
  return R"({"method":"item/started","params":{"item":)" + item + R"(,"threadId":")" + plain_thread +
         R"(","turnId":")" + plain_turn + R"("}})";
}

}  // namespace

TEST_CASE("a plain text turn completes with the agent's answer", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed_all({status_active, turn_started, user_message, agent_started, agent_delta, agent_completed});
  d.feed(fill(token_usage, from_run("01a218ca-78b3-…", "01a218ca-78c4-…")));
  d.feed_all({status_idle, turn_completed});
  REQUIRE(d.s.finished());
  CHECK(d.events == std::vector<event>{text_event("pong from mock")});
  const auto& r = d.s.result();
  CHECK(r.result == outcome::status::completed);
  CHECK(r.final_output == "pong from mock");
  CHECK(r.error.empty());
  CHECK(r.thread_id == plain_thread);
  CHECK_FALSE(r.resumed);
  CHECK(r.usage == std::vector<model_usage>{{"mock-model", 10, 0, 5, 0}});
  CHECK(d.sent.size() == 5);  // nothing written during the turn
}

TEST_CASE("a command becomes an exec_command use and result", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(fill(command_started, from_run("01a218cc-0650-…", "01a218cc-0668-…")));
  d.feed(fill(command_delta, from_run("01a218ca-78b3-…", "01a218ca-78c4-…")));
  d.feed(fill(command_completed, from_run("01a218cc-148a-…", "01a218cc-149b-…")));
  d.feed_all({agent_completed, turn_completed});
  CHECK(d.events == std::vector<event>{
                        tool_use("exec_command", "call_1", R"({"command":"touch made_by_cmd.txt","cwd":"<workspace>"})"),
                        tool_result("exec_command", "call_1", "ok\n"),
                        text_event("pong from mock"),
                    });
  CHECK(d.s.result().result == outcome::status::completed);
}

TEST_CASE("a command without output reports how it ended", "[proto][codex]") {
  driver d;
  d.open_turn();
  std::string failed = R"({"type":"commandExecution","id":"c3","command":"/bin/bash -lc 'exit 3'","cwd":"/w","status":"failed","commandActions":[{"type":"unknown","command":"exit 3"}],"aggregatedOutput":null,"exitCode":3})";
  std::string declined = R"({"type":"commandExecution","id":"c4","command":"/bin/bash -lc 'rm x'","cwd":"/w","status":"declined","commandActions":[],"aggregatedOutput":null,"exitCode":null})";
  d.feed(item_started(failed));
  d.feed(item_completed(failed));
  d.feed(item_started(declined));
  d.feed(item_completed(declined));
  CHECK(d.events == std::vector<event>{
                        tool_use("exec_command", "c3", R"({"command":"exit 3","cwd":"/w"})"),
                        tool_result("exec_command", "c3", "exit code 3"),
                        // No command actions: the shell form is all there is.
                        tool_use("exec_command", "c4", R"({"command":"/bin/bash -lc 'rm x'","cwd":"/w"})"),
                        tool_result("exec_command", "c4", "declined"),
                    });
}

TEST_CASE("a file change becomes an apply_patch use with a change summary as its result", "[proto][codex]") {
  driver d;
  d.open_turn();
  auto run = from_run("01a218cb-d08c-…", "01a218cb-d09b-…");
  d.feed(fill(R"J({"method":"item/started","params":{"item":{"type":"fileChange","id":"call_1","changes":[{"path":"<workspace>/added_shell_heredoc.txt","kind":{"type":"add"},"diff":"hello\n"}],"status":"inProgress","startedAtMs":1795712340258,"completedAtMs":null},"threadId":"01a218cb-d08c-…","turnId":"01a218cb-d09b-…","startedAtMs":1795712340258},"emittedAtMs":1795712340259})J", run));
  d.feed(fill(R"J({"method":"item/completed","params":{"item":{"type":"fileChange","id":"call_1","changes":[{"path":"<workspace>/added_shell_heredoc.txt","kind":{"type":"add"},"diff":"hello\n"}],"status":"completed","startedAtMs":1795712340258,"completedAtMs":1795712340325},"threadId":"01a218cb-d08c-…","turnId":"01a218cb-d09b-…","contentTokenCount":null,"completedAtMs":1795712340325},"emittedAtMs":1795712340330})J", run));
  REQUIRE(d.events.size() == 2);
  CHECK(json::parse(d.events[0].input_json) ==
        json::parse(R"({"changes":[{"path":"<workspace>/added_shell_heredoc.txt","kind":"add"}]})"));
  CHECK(d.events[0].tool == "apply_patch");
  CHECK(d.events[1] == tool_result("apply_patch", "call_1", "A <workspace>/added_shell_heredoc.txt"));

  SECTION("several changes, one line each") {
    std::string item = R"({"type":"fileChange","id":"p2","status":"completed","changes":[
        {"path":"/w/a","kind":{"type":"add"}},{"path":"/w/b","kind":{"type":"delete"}},
        {"path":"/w/c","kind":{"type":"update","move_path":null}},{"path":"/w/d","kind":{"type":"update","move_path":"/w/e"}}]})";
    d.feed(item_completed(item));
    CHECK(d.events.back() == tool_result("apply_patch", "p2", "A /w/a\nD /w/b\nM /w/c\nM /w/d -> /w/e"));
  }
  SECTION("declined and failed changes say so") {
    auto status = GENERATE(std::string("declined"), std::string("failed"));
    d.feed(item_completed(R"({"type":"fileChange","id":"p3","status":")" + status +
                          R"(","changes":[{"path":"/w/a","kind":{"type":"add"}}]})"));
    CHECK(d.events.back() == tool_result("apply_patch", "p3", status));
  }
}

TEST_CASE("reasoning becomes thinking with its summary parts joined and empty ones skipped", "[proto][codex]") {
  driver d;
  d.open_turn();
  auto run = from_run("01a218cd-850e-…", "01a218cd-8521-…");
  d.feed(fill(R"J({"method":"item/started","params":{"item":{"type":"reasoning","id":"rs_1","summary":[],"content":[],"startedAtMs":1795712451989,"completedAtMs":null},"threadId":"01a218cd-850e-…","turnId":"01a218cd-8521-…","startedAtMs":1795712451989},"emittedAtMs":1795712451990})J", run));
  d.feed(fill(R"J({"method":"item/completed","params":{"item":{"type":"reasoning","id":"rs_1","summary":["**Planning** I will answer."],"content":["raw chain"],"startedAtMs":1795712451989,"completedAtMs":1795712451989},"threadId":"01a218cd-850e-…","turnId":"01a218cd-8521-…","contentTokenCount":null,"completedAtMs":1795712451989},"emittedAtMs":1795712451997})J", run));
  d.feed(item_completed(R"({"type":"reasoning","id":"rs_2","summary":["one","","two"],"content":[]})"));
  d.feed(item_completed(R"({"type":"reasoning","id":"rs_3","summary":[""],"content":["hidden"]})"));
  CHECK(d.events == std::vector<event>{
                        {.type = event::kind::thinking, .content = "**Planning** I will answer."},
                        {.type = event::kind::thinking, .content = "one\n\ntwo"},
                    });
}

TEST_CASE("an mcp tool call becomes a use named after its server and tool", "[proto][codex]") {
  driver d;
  d.open_turn();
  std::string started = R"({"type":"mcpToolCall","id":"mcp_1","server":"docs","tool":"search","status":"inProgress","arguments":{"q":"sandbox"},"result":null,"error":null})";
  d.feed(item_started(started));
  d.feed(item_completed(R"({"type":"mcpToolCall","id":"mcp_1","server":"docs","tool":"search","status":"completed","arguments":{"q":"sandbox"},"result":{"content":[{"type":"text","text":"found 2"},{"type":"image","data":"..."},{"type":"text","text":"done"}],"structuredContent":null},"error":null})"));
  d.feed(item_completed(R"({"type":"mcpToolCall","id":"mcp_2","server":"docs","tool":"fetch","status":"failed","arguments":null,"result":null,"error":{"message":"timeout"}})"));
  CHECK(d.events == std::vector<event>{
                        tool_use("mcp:docs/search", "mcp_1", R"({"q":"sandbox"})"),
                        tool_result("mcp:docs/search", "mcp_1", "found 2\ndone"),
                        tool_use("mcp:docs/fetch", "mcp_2", "{}"),
                        tool_result("mcp:docs/fetch", "mcp_2", "error: timeout"),
                    });
}

TEST_CASE("unknown item types and the user's own message produce no events", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(user_message);
  d.feed(item_started(R"({"type":"webSearch","id":"ws_1","query":"x"})"));
  d.feed(item_completed(R"({"type":"webSearch","id":"ws_1","query":"x"})"));
  d.feed(item_completed(R"({"type":"somethingNew","id":"n1","payload":[1,2,3]})"));
  CHECK(d.events.empty());
  CHECK(d.notes.empty());
}

TEST_CASE("several agent messages are joined with a blank line in the final output", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(item_completed(R"({"type":"agentMessage","id":"m1","text":"First."})"));
  d.feed(item_completed(R"({"type":"agentMessage","id":"m2","text":""})"));
  d.feed(item_completed(R"({"type":"agentMessage","id":"m3","text":"Second."})"));
  d.feed(completed_with("completed"));
  CHECK(d.events == std::vector<event>{text_event("First."), text_event("Second.")});
  CHECK(d.s.result().final_output == "First.\n\nSecond.");
  CHECK(d.s.result().result == outcome::status::completed);
}

TEST_CASE("a turn that completes without an agent message fails with an empty answer", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(item_completed(R"({"type":"agentMessage","id":"m1","text":""})"));
  d.feed(completed_with("completed"));
  CHECK(d.s.result().result == outcome::status::failed);
  CHECK(d.s.result().error == "codex returned an empty answer");
  CHECK(d.s.result().thread_id == plain_thread);
}

TEST_CASE("a failed turn carries codex's own error text", "[proto][codex]") {
  driver d;
  d.open_turn("01a218cb-4830-…", "01a218cb-483e-…");
  d.feed(R"({"method":"thread/status/changed","params":{"threadId":"01a218cb-4830-…","status":{"type":"systemError"}}})");
  d.feed(fill(error_final, {{"01a218cb-3422-…", "01a218cb-4830-…"}, {"01a218cb-3432-…", "01a218cb-483e-…"}}));
  d.feed(failed_401);
  REQUIRE(d.s.finished());
  CHECK(d.events == std::vector<event>{
                        error_event("We’re currently experiencing high demand, which may cause temporary errors.")});
  CHECK(d.s.result().result == outcome::status::failed);
  CHECK(d.s.result().error ==
        "unexpected status 401 Unauthorized: mock unauthorized, url: http://127.0.0.1:<port>/v1/responses");
  CHECK(d.s.result().thread_id == "01a218cb-4830-…");
}

TEST_CASE("an error that codex will retry is only an info note", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(fill(error_retry, from_run("01a218cb-56b8-…", "01a218cb-56c5-…")));
  CHECK(d.events.empty());
  const log_note* n = d.find_note("codex is retrying");
  REQUIRE(n);
  CHECK(n->severity == log_note::level::info);
  CHECK(field(*n, "message") == "Reconnecting... 1/1");
  CHECK_FALSE(d.s.finished());
}

TEST_CASE("warning notifications are debug notes", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(R"({"method":"warning","params":{"threadId":"01a218ca-5116-…","message":"Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."},"emittedAtMs":1795712241992})");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == log_note::level::debug);
  CHECK_THAT(field(d.notes[0], "message"), Catch::StartsWith("Model metadata for `mock-model` not found"));
  CHECK(d.events.empty());
}

TEST_CASE("an interrupted turn ends with the reason given and closes what was running", "[proto][codex]") {
  driver d;
  d.open_turn("01a218cb-1910-…", "01a218cb-191e-…");
  // A command still running when the interrupt lands: it never completes (spec §2.6).
  d.feed(fill(command_started, {{"01a218cc-0650-…", "01a218cb-1910-…"}, {"01a218cc-0668-…", "01a218cb-191e-…"}}));
  d.s.interrupt("cancelled by the server");
  d.drain();
  CHECK(d.last() == json::parse(R"({"id":5,"method":"turn/interrupt","params":{"threadId":"01a218cb-1910-…","turnId":"01a218cb-191e-…"}})"));
  CHECK(d.s.current_state() == session::state::in_turn);  // waits for Codex to confirm
  d.feed(R"({"id":5,"result":{}})");
  d.feed(R"({"method":"thread/status/changed","params":{"threadId":"01a218cb-1910-…","status":{"type":"idle"}}})");
  d.feed(interrupted);
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::interrupted);
  CHECK(d.s.result().error == "cancelled by the server");
  CHECK(d.events == std::vector<event>{
                        tool_use("exec_command", "call_1", R"({"command":"touch made_by_cmd.txt","cwd":"<workspace>"})"),
                        tool_result("exec_command", "call_1", "aborted: the turn ended before this finished"),
                    });
}

TEST_CASE("a turn that codex interrupted by itself says so", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(completed_with("interrupted"));
  CHECK(d.s.result().result == outcome::status::interrupted);
  CHECK(d.s.result().error == "interrupted by codex");
}

TEST_CASE("an unknown turn status fails the turn and names the status", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(completed_with("inProgress"));
  CHECK(d.s.result().result == outcome::status::protocol_error);
  CHECK_THAT(d.s.result().error, Catch::Contains("unknown status \"inProgress\""));
}

TEST_CASE("notifications for another turn or thread are ignored", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(fill(agent_completed, {{plain_turn, "queued-turn"}}));
  d.feed(fill(agent_completed, {{plain_thread, "sub-agent-thread"}}));
  d.feed(fill(command_started, {{"01a218cc-0650-…", plain_thread}, {"01a218cc-0668-…", "queued-turn"}}));
  d.feed(fill(error_final, {{"01a218cb-3422-…", plain_thread}, {"01a218cb-3432-…", "queued-turn"}}));
  d.feed(fill(token_usage, {{"01a218ca-78b3-…", plain_thread}, {"01a218ca-78c4-…", "queued-turn"}}));
  d.feed(fill(turn_completed, {{plain_turn, "queued-turn"}}));
  CHECK(d.events.empty());
  CHECK_FALSE(d.s.finished());
  d.feed_all({agent_completed, turn_completed});
  CHECK(d.s.result().result == outcome::status::completed);
  CHECK(d.s.result().usage.empty());
}

TEST_CASE("usage sums the last figures of every update for the turn keyed by the thread's model", "[proto][codex]") {
  driver d;
  d.open_turn();
  // The spec's two responses: (1000 in, 300 cached, 50 out, 20 reasoning), (1200, 1000, 7, 0).
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","tokenUsage":{"total":{"totalTokens":1050,"inputTokens":1000,"cachedInputTokens":300,"cacheWriteInputTokens":0,"outputTokens":50,"reasoningOutputTokens":20},"last":{"totalTokens":1050,"inputTokens":1000,"cachedInputTokens":300,"cacheWriteInputTokens":0,"outputTokens":50,"reasoningOutputTokens":20},"modelContextWindow":258400}}})");
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","tokenUsage":{"total":{"totalTokens":2257,"inputTokens":2200,"cachedInputTokens":1300,"cacheWriteInputTokens":0,"outputTokens":57,"reasoningOutputTokens":20},"last":{"totalTokens":1207,"inputTokens":1200,"cachedInputTokens":1000,"cacheWriteInputTokens":0,"outputTokens":7,"reasoningOutputTokens":0},"modelContextWindow":258400}}})");
  d.feed_all({agent_completed, turn_completed});
  CHECK(d.s.result().usage == std::vector<model_usage>{{"mock-model", 2200, 1300, 57, 20}});
}

TEST_CASE("usage on a resumed thread counts only this turn and not the thread's total", "[proto][codex]") {
  auto config = default_config();
  config.resume_thread_id = plain_thread;
  config.model.clear();  // the key comes from the thread result, not the config
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  d.answer("thread/resume", fill(thread_result, {{"mock-model", "gpt-resumed"}}).c_str(),
           {{"@THREAD@", plain_thread}, {"@SANDBOX@", ww_network_on}});
  d.answer("turn/start", turn_start_result, {{"@TURN@", plain_turn}});
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","tokenUsage":{"total":{"totalTokens":90015,"inputTokens":80010,"cachedInputTokens":40000,"cacheWriteInputTokens":0,"outputTokens":10005,"reasoningOutputTokens":900},"last":{"totalTokens":15,"inputTokens":10,"cachedInputTokens":4,"cacheWriteInputTokens":0,"outputTokens":5,"reasoningOutputTokens":1},"modelContextWindow":258400}}})");
  d.feed_all({agent_completed, turn_completed});
  CHECK(d.s.result().resumed);
  CHECK(d.s.result().usage == std::vector<model_usage>{{"gpt-resumed", 10, 4, 5, 1}});
}

TEST_CASE("a tool item that completes without a start is announced before its result", "[proto][codex]") {
  driver d;
  d.open_turn();
  d.feed(fill(command_completed, from_run("01a218cc-148a-…", "01a218cc-149b-…")));
  CHECK(d.events == std::vector<event>{
                        tool_use("exec_command", "call_1", R"({"command":"touch /var/tmp/esc.txt && echo ok","cwd":"<workspace>"})"),
                        tool_result("exec_command", "call_1", "ok\n"),
                    });
}

TEST_CASE("a usage update repeated with the same total is counted once (codex 0.100 to 0.120)", "[proto][codex]") {
  driver d;
  d.open_turn();
  // Captured from codex 0.100.0: after a command ends the update of the
  // response before it comes again, unchanged; then the next response's.
  const char* first = R"({"method":"thread/tokenUsage/updated","params":{"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","tokenUsage":{"total":{"totalTokens":150,"inputTokens":120,"cachedInputTokens":20,"outputTokens":30,"reasoningOutputTokens":10},"last":{"totalTokens":150,"inputTokens":120,"cachedInputTokens":20,"outputTokens":30,"reasoningOutputTokens":10},"modelContextWindow":258400}}})";
  d.feed(first);
  d.feed(first);
  d.feed(R"({"method":"thread/tokenUsage/updated","params":{"threadId":"01a218ca-5116-…","turnId":"01a218ca-513f-…","tokenUsage":{"total":{"totalTokens":300,"inputTokens":240,"cachedInputTokens":40,"outputTokens":60,"reasoningOutputTokens":20},"last":{"totalTokens":150,"inputTokens":120,"cachedInputTokens":20,"outputTokens":30,"reasoningOutputTokens":10},"modelContextWindow":258400}}})");
  d.feed_all({agent_completed, turn_completed});
  CHECK(d.s.result().usage == std::vector<model_usage>{{"mock-model", 240, 40, 60, 20}});
}

// Codex 0.120.0, seen under load: the command's item/completed comes without
// aggregatedOutput (or never), though its output was streamed.
TEST_CASE("a command completed without its output reports the streamed output", "[proto][codex]") {
  driver d;
  d.open_turn();
  auto run = from_run("01a218ca-78b3-…", "01a218ca-78c4-…");
  d.feed(fill(command_started, from_run("01a218cc-0650-…", "01a218cc-0668-…")));
  d.feed(fill(command_delta, run));
  d.feed(R"({"method":"item/completed","params":{"item":{"type":"commandExecution","id":"call_1","command":"/bin/bash -lc 'echo x'","cwd":"<workspace>","status":"completed","aggregatedOutput":null,"exitCode":0}}})");
  auto results = d.events_of(event::kind::tool_result);
  REQUIRE(results.size() == 1);
  CHECK(results[0].output == "write_ws_rc=0\n");
}

TEST_CASE("a command whose item/completed never comes keeps its streamed output", "[proto][codex]") {
  driver d;
  d.open_turn();
  auto run = from_run("01a218ca-78b3-…", "01a218ca-78c4-…");
  d.feed(fill(command_started, from_run("01a218cc-0650-…", "01a218cc-0668-…")));
  d.feed(fill(command_delta, run));
  d.feed_all({agent_completed, turn_completed});
  auto results = d.events_of(event::kind::tool_result);
  REQUIRE(results.size() == 1);
  CHECK(results[0].output == "write_ws_rc=0\n\n(aborted: the turn ended before this finished)");
  CHECK(d.s.result().result == outcome::status::completed);
}
