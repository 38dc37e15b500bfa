// Encoders: the exact JSON the Go server decodes (spec §4), and round trips
// through a test-local reader. Paths: spec §3.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "proto/server/codec.hpp"

using namespace multicad::proto::server;
using nlohmann::json;

namespace {

// Reads an encoded message back into our type, the way the server's Go struct would.
task_message read_message(const json& j) {
  task_message m;
  m.seq = j.at("seq").get<std::int32_t>();
  m.type = j.at("type").get<std::string>();
  m.tool = j.value("tool", "");
  m.content = j.value("content", "");
  if (j.contains("input")) m.input_json = j.at("input").dump();
  m.output = j.value("output", "");
  return m;
}

usage_entry read_usage(const json& j) {
  return {j.at("provider"), j.at("model"), j.at("input_tokens"), j.at("output_tokens"), j.at("cache_read_tokens"),
          j.at("cache_write_tokens")};
}

}  // namespace

TEST_CASE("every endpoint path is the spec's path with the ids inserted", "[proto][server]") {
  CHECK(std::string(paths::workspaces) == "/api/workspaces");
  CHECK(std::string(paths::register_runtimes) == "/api/daemon/register");
  CHECK(std::string(paths::deregister) == "/api/daemon/deregister");
  CHECK(std::string(paths::heartbeat) == "/api/daemon/heartbeat");
  CHECK(paths::claim("r1") == "/api/daemon/runtimes/r1/tasks/claim");
  CHECK(paths::pending("r1") == "/api/daemon/runtimes/r1/tasks/pending");
  CHECK(paths::start("t1") == "/api/daemon/tasks/t1/start");
  CHECK(paths::progress("t1") == "/api/daemon/tasks/t1/progress");
  CHECK(paths::messages("t1") == "/api/daemon/tasks/t1/messages");
  CHECK(paths::usage("t1") == "/api/daemon/tasks/t1/usage");
  CHECK(paths::complete("t1") == "/api/daemon/tasks/t1/complete");
  CHECK(paths::fail("t1") == "/api/daemon/tasks/t1/fail");
  CHECK(paths::status("t1") == "/api/daemon/tasks/t1/status");
  CHECK(paths::ping_result("r1", "p1") == "/api/daemon/runtimes/r1/ping/p1/result");
  CHECK(paths::update_result("r1", "u1") == "/api/daemon/runtimes/r1/update/u1/result");
  CHECK(paths::gc_check("i1") == "/api/daemon/issues/i1/gc-check");
  CHECK(paths::workspace_repos("w1") == "/api/daemon/workspaces/w1/repos");
}

TEST_CASE("an id in a path is one percent-encoded segment whatever it holds", "[proto][server][security]") {
  CHECK(paths::start("x HTTP/1.1\r\nX-Inj: 0") == "/api/daemon/tasks/x%20HTTP%2F1.1%0D%0AX-Inj%3A%200/start");
  CHECK(paths::gc_check("../../../api/workspaces") == "/api/daemon/issues/..%2F..%2F..%2Fapi%2Fworkspaces/gc-check");
  CHECK(paths::claim("a?b#c") == "/api/daemon/runtimes/a%3Fb%23c/tasks/claim");
}

TEST_CASE("a register request encodes every field and each runtime in order", "[proto][server]") {
  register_request r{"w1", "host-a", "My Mac", "0.1.0", "", {{"codex", "Codex (My Mac)", "codex-cli 0.171.0", "online"}}};
  CHECK(encode(r) ==
        R"({"workspace_id":"w1","daemon_id":"host-a","device_name":"My Mac","cli_version":"0.1.0","launched_by":"",)"
        R"j("runtimes":[{"type":"codex","name":"Codex (My Mac)","version":"codex-cli 0.171.0","status":"online"}]})j");
}

TEST_CASE("deregister heartbeat and fail requests encode as one-key objects", "[proto][server]") {
  CHECK(encode(deregister_request{{"r1", "r2"}}) == R"({"runtime_ids":["r1","r2"]})");
  CHECK(encode(deregister_request{}) == R"({"runtime_ids":[]})");
  CHECK(encode(heartbeat_request{"r1"}) == R"({"runtime_id":"r1"})");
  CHECK(encode(fail_request{"codex timed out after 2h0m0s"}) == R"({"error":"codex timed out after 2h0m0s"})");
  CHECK(encode(fail_request{""}) == R"({"error":""})");
}

TEST_CASE("a progress request always carries summary step and total", "[proto][server]") {
  CHECK(encode(progress_request{"Launching codex", 1, 2}) == R"({"summary":"Launching codex","step":1,"total":2})");
  CHECK(encode(progress_request{}) == R"({"summary":"","step":0,"total":0})");
}

TEST_CASE("a complete request omits an empty session id and work dir", "[proto][server]") {
  CHECK(encode(complete_request{"done", "s1", "/w/workdir"}) ==
        R"({"output":"done","session_id":"s1","work_dir":"/w/workdir"})");
  CHECK(encode(complete_request{"done", "", ""}) == R"({"output":"done"})");
  CHECK(encode(complete_request{"done", "", "/w"}) == R"({"output":"done","work_dir":"/w"})");
}

TEST_CASE("ping and update results encode every field", "[proto][server]") {
  CHECK(encode(ping_result_request{"completed", "pong", "", 1234}) ==
        R"({"status":"completed","output":"pong","error":"","duration_ms":1234})");
  CHECK(encode(update_result_request{"failed", "", "desktop owns the binary"}) ==
        R"({"status":"failed","output":"","error":"desktop owns the binary"})");
}

TEST_CASE("usage entries encode all counters and round-trip", "[proto][server]") {
  usage_request r{{{"codex", "gpt-5", 100, 20, 5'000'000'000, 0}, {"codex", "o3", 1, 2, 3, 4}}};
  auto text = encode(r);
  CHECK(text ==
        R"({"usage":[{"provider":"codex","model":"gpt-5","input_tokens":100,"output_tokens":20,"cache_read_tokens":5000000000,)"
        R"("cache_write_tokens":0},{"provider":"codex","model":"o3","input_tokens":1,"output_tokens":2,"cache_read_tokens":3,)"
        R"("cache_write_tokens":4}]})");
  auto j = json::parse(text);
  REQUIRE(j.at("usage").size() == 2);
  CHECK(read_usage(j["usage"][0]) == r.usage[0]);
  CHECK(read_usage(j["usage"][1]) == r.usage[1]);
}

TEST_CASE("messages omit empty optional fields and embed input as an object", "[proto][server]") {
  messages_request r{{{1, "text", "", "hello", "", ""},
                      {2, "tool_use", "shell", "", R"({"command":["ls","-la"],"cwd":"/w"})", ""},
                      {3, "tool_result", "shell", "", "", "total 0\n"}}};
  CHECK(encode(r) == R"({"messages":[{"seq":1,"type":"text","content":"hello"},)"
                     R"({"seq":2,"type":"tool_use","tool":"shell","input":{"command":["ls","-la"],"cwd":"/w"}},)"
                     R"({"seq":3,"type":"tool_result","tool":"shell","output":"total 0\n"}]})");
}

TEST_CASE("messages round-trip through their JSON", "[proto][server]") {
  messages_request r{{{7, "tool_use", "apply_patch", "", R"({"b":1,"a":{"x":[true,null]}})", ""},
                      {-1, "error", "", "boom \u00e9", "", ""}}};
  auto j = json::parse(encode(r));
  REQUIRE(j.at("messages").size() == 2);
  auto first = read_message(j["messages"][0]);
  CHECK(first.seq == 7);
  CHECK(json::parse(first.input_json) == json::parse(r.messages[0].input_json));
  CHECK(read_message(j["messages"][1]) == r.messages[1]);
  CHECK(encode(messages_request{}) == R"({"messages":[]})");
}

TEST_CASE("an input that is not a JSON object is omitted rather than sent", "[proto][server]") {
  for (const char* bad : {"not json", "[1,2]", "\"text\"", "42", "null", "{}", "{\"a\":1} trailing", "{\"a\":"}) {
    INFO(bad);
    auto j = json::parse(encode(messages_request{{{1, "tool_use", "shell", "", bad, ""}}}));
    CHECK_FALSE(j["messages"][0].contains("input"));
    CHECK(j["messages"][0]["tool"] == "shell");
  }
}

TEST_CASE("invalid UTF-8 in a message is replaced instead of failing the batch", "[proto][server]") {
  std::string cut = "caf\xc3";  // an output cut inside a two-byte character
  auto text = encode(messages_request{{{1, "tool_result", "shell", "", "", cut}}});
  auto j = json::parse(text);
  CHECK(j["messages"][0]["output"] == "caf\xef\xbf\xbd");
}
