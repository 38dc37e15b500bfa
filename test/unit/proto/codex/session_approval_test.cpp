// Server -> client requests (spec §3): approvals in both modes, the legacy
// shapes, and requests multicad does not handle.
#include <catch2/catch.hpp>

#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

namespace {

const std::string esc_thread = "01a218cc-148a-…";
const std::string esc_turn = "01a218cc-149b-…";

// §3.2, verbatim.
const char* command_approval =
    R"J({"method":"item/commandExecution/requestApproval","id":0,"params":{"kind":"command","threadId":"01a218cc-148a-…","turnId":"01a218cc-149b-…","itemId":"call_1","startedAtMs":1795712357692,"environmentId":"local","reason":"Need to write outside the workspace","command":"/bin/bash -lc 'touch /var/tmp/esc.txt && echo ok'","cwd":"<workspace>","commandActions":[{"type":"unknown","command":"touch /var/tmp/esc.txt && echo ok"}],"proposedExecpolicyAmendment":["touch","/var/tmp/esc.txt"],"availableDecisions":["accept",{"acceptWithExecpolicyAmendment":{"execpolicy_amendment":["touch","/var/tmp/esc.txt"]}},"cancel"]}})J";

// §3.3: the request, and the item/started before it that names the file.
const char* file_started =
    R"J({"method":"item/started","params":{"item":{"type":"fileChange","id":"call_1","changes":[{"path":"/var/tmp/outside.txt","kind":{"type":"add"},"diff":"x\n"}],"status":"inProgress"},"threadId":"01a218cc-148a-…","turnId":"01a218cc-149b-…","startedAtMs":1795712342969}})J";
const char* file_approval =
    R"J({"method":"item/fileChange/requestApproval","id":0,"params":{"threadId":"01a218cc-148a-…","turnId":"01a218cc-149b-…","itemId":"call_1","startedAtMs":1795712342969,"reason":null,"grantRoot":null}})J";

// §3.5, shapes from the schema.
const char* legacy_exec =
    R"J({"method":"execCommandApproval","id":1,"params":{"conversationId":"conv-1","callId":"c1","command":["bash","-lc","rm -rf /tmp/x"],"cwd":"/w","parsedCmd":[],"reason":"cleanup"}})J";
const char* legacy_patch =
    R"J({"method":"applyPatchApproval","id":2,"params":{"conversationId":"conv-1","callId":"c2","fileChanges":{"/etc/a":{"type":"add","content":"x"},"/etc/b":{"type":"delete"}},"reason":null,"grantRoot":null}})J";

driver in_turn(approvals mode) {
  auto config = default_config();
  config.approval_mode = mode;
  driver d(config);
  d.open_turn(esc_thread, esc_turn);
  return d;
}

}  // namespace

TEST_CASE("auto accept accepts a command escalation and warns with what ran outside the sandbox", "[proto][codex]") {
  driver d = in_turn(approvals::auto_accept);
  d.feed(command_approval);
  CHECK(d.raw.back() == "{\"id\":0,\"result\":{\"decision\":\"accept\"}}\n");
  const log_note* n = d.find_note("codex approval: accepted an escalation outside the sandbox");
  REQUIRE(n);
  CHECK(n->severity == log_note::level::warn);
  CHECK(n->fields == std::vector<std::pair<std::string, std::string>>{
                         {"command", "/bin/bash -lc 'touch /var/tmp/esc.txt && echo ok'"},
                         {"reason", "Need to write outside the workspace"},
                         {"cwd", "<workspace>"},
                         {"thread_id", esc_thread}});
  CHECK(d.events.empty());
}

TEST_CASE("approvals never declines a command escalation with an info note", "[proto][codex]") {
  driver d = in_turn(approvals::never);
  d.feed(command_approval);
  CHECK(d.raw.back() == "{\"id\":0,\"result\":{\"decision\":\"decline\"}}\n");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == log_note::level::info);
  CHECK(field(d.notes[0], "command") == "/bin/bash -lc 'touch /var/tmp/esc.txt && echo ok'");
  CHECK(field(d.notes[0], "reason") == "Need to write outside the workspace");
}

TEST_CASE("a file change approval is answered and logged with the paths from its item", "[proto][codex]") {
  auto mode = GENERATE(approvals::auto_accept, approvals::never);
  driver d = in_turn(mode);
  d.feed(file_started);
  d.feed(file_approval);
  bool accept = mode == approvals::auto_accept;
  CHECK(d.last() == json{{"id", 0}, {"result", {{"decision", accept ? "accept" : "decline"}}}});
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == (accept ? log_note::level::warn : log_note::level::info));
  CHECK(d.notes[0].fields == std::vector<std::pair<std::string, std::string>>{
                                 {"paths", "/var/tmp/outside.txt"},
                                 {"reason", ""},
                                 {"cwd", "<workspace>"},
                                 {"thread_id", esc_thread}});
}

TEST_CASE("legacy approvals get the legacy decisions", "[proto][codex]") {
  auto mode = GENERATE(approvals::auto_accept, approvals::never);
  bool accept = mode == approvals::auto_accept;
  driver d = in_turn(mode);
  d.feed(legacy_exec);
  CHECK(d.last() == json{{"id", 1}, {"result", {{"decision", accept ? "approved" : "denied"}}}});
  CHECK(field(d.notes.back(), "command") == "bash -lc rm -rf /tmp/x");
  CHECK(field(d.notes.back(), "cwd") == "/w");
  CHECK(field(d.notes.back(), "thread_id") == "conv-1");
  d.feed(legacy_patch);
  CHECK(d.last() == json{{"id", 2}, {"result", {{"decision", accept ? "approved" : "denied"}}}});
  CHECK(field(d.notes.back(), "paths") == "/etc/a, /etc/b");
  CHECK(d.notes.back().severity == (accept ? log_note::level::warn : log_note::level::info));
}

TEST_CASE("a server request id is echoed as given whether string or integer and apart from the client's ids", "[proto][codex]") {
  driver d = in_turn(approvals::never);
  d.feed(fill(command_approval, {{R"("id":0)", R"("id":"req-7")"}}));
  CHECK(d.last()["id"] == "req-7");
  d.feed(fill(command_approval, {{R"("id":0)", R"("id":3)"}}));  // 3 is also our turn/start id
  CHECK(d.last() == json{{"id", 3}, {"result", {{"decision", "decline"}}}});
  CHECK(d.s.current_state() == session::state::in_turn);  // not taken for the turn/start reply
}

TEST_CASE("a server request multicad does not handle gets a JSON-RPC error reply", "[proto][codex]") {
  driver d = in_turn(approvals::auto_accept);
  auto method = GENERATE(std::string("item/tool/requestUserInput"), std::string("mcpServer/elicitation/request"),
                         std::string("item/permissions/requestApproval"), std::string("account/chatgptAuthTokens/refresh"));
  d.feed(R"({"method":")" + method + R"(","id":5,"params":{"threadId":"01a218cc-148a-…"}})");
  CHECK(d.raw.back() == "{\"error\":{\"code\":-32601,\"message\":\"multicad does not handle " + method +
                            "\"},\"id\":5}\n");
  CHECK(field(d.notes.back(), "method") == method);
  CHECK(d.events.empty());
}

TEST_CASE("an approval with unreadable params is still answered", "[proto][codex]") {
  driver d = in_turn(approvals::never);
  d.feed(R"({"method":"item/commandExecution/requestApproval","id":9,"params":{"threadId":"t","itemId":"c","command":["not","a","string"]}})");
  CHECK(d.last() == json{{"id", 9}, {"result", {{"decision", "decline"}}}});
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == event::kind::error);
}

TEST_CASE("approvals before the turn are answered as well", "[proto][codex]") {
  driver d;
  d.start();
  d.feed(command_approval);
  CHECK(d.last() == json{{"id", 0}, {"result", {{"decision", "decline"}}}});
  CHECK(field(d.notes.back(), "thread_id") == esc_thread);
}
