// The daemon WebSocket's messages (agent-toolbox.md §11.1) and the batch
// claim codec: frames as the server sends them, and what the daemon sends.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "proto/server/codec.hpp"
#include "proto/server/push.hpp"

using namespace multicad::proto::server;
using namespace multicad::proto::server::push;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
constexpr const char* rt = "11111111-2222-3333-4444-555555555555";
const std::string task_json = R"({"id":"aaaaaaaa-2222-3333-4444-555555555555","agent_id":"","runtime_id":")" + std::string(rt) +
                              R"(","issue_id":"","workspace_id":"","status":"dispatched","priority":0})";
}  // namespace

TEST_CASE("push: wake-ups decode with their runtime", "[unit][push]") {
  auto m = decode_message(std::string(R"({"type":"daemon:task_available","payload":{"runtime_id":")") + rt +
                          R"(","task_id":"t"}})");
  REQUIRE(m.has_value());
  REQUIRE(std::holds_alternative<task_available>(*m));
  CHECK(std::get<task_available>(*m).runtime_id == rt);
  CHECK(std::get<task_available>(*m).task_id == "t");

  auto p = decode_message(std::string(R"({"type":"daemon:pending_work","payload":{"runtime_id":")") + rt + R"("}})");
  REQUIRE(p.has_value());
  CHECK(std::get<pending_work>(*p).kind.empty());
  auto w = decode_message(R"({"type":"daemon:workspaces_changed","payload":{}})");
  REQUIRE(w.has_value());
  CHECK(std::holds_alternative<workspaces_changed>(*w));
  auto no_payload = decode_message(R"({"type":"daemon:workspaces_changed"})");
  CHECK(no_payload.has_value());
}

TEST_CASE("push: a heartbeat ack reads like the HTTP answer with runtime_gone and rpc-v1", "[unit][push]") {
  auto m = decode_message(std::string(R"({"type":"daemon:heartbeat_ack","payload":{"runtime_id":")") + rt +
                          R"(","status":"ok","server_capabilities":["skill-bundles-v1","rpc-v1"],"runtime_gone":true,)"
                          R"("pending_ping":{"id":"0123456789abcdef0123456789abcdef"}}})");
  REQUIRE(m.has_value());
  const auto& a = std::get<heartbeat_ack>(*m);
  CHECK(a.runtime_gone);
  CHECK(a.rpc());
  REQUIRE(a.pending.pending_ping_id);
  CHECK(*a.pending.pending_ping_id == "0123456789abcdef0123456789abcdef");

  auto plain = decode_message(std::string(R"({"type":"daemon:heartbeat_ack","payload":{"runtime_id":")") + rt +
                              R"(","status":"ok"}})");
  REQUIRE(plain.has_value());
  CHECK_FALSE(std::get<heartbeat_ack>(*plain).rpc());
  CHECK_FALSE(std::get<heartbeat_ack>(*plain).runtime_gone);
}

TEST_CASE("push: an rpc response carries its status and body", "[unit][push]") {
  auto m = decode_message(R"({"type":"daemon:rpc_response","payload":{"request_id":"r1","status":200,"body":{"tasks":[]}}})");
  REQUIRE(m.has_value());
  const auto& r = std::get<rpc_response>(*m);
  CHECK(r.status == 200);
  CHECK(json::parse(r.body_json) == json{{"tasks", json::array()}});
  auto failed = decode_message(R"({"type":"daemon:rpc_response","payload":{"request_id":"r2","status":"error","error":"boom"}})");
  REQUIRE(failed.has_value());
  CHECK(std::get<rpc_response>(*failed).status == 500);
  CHECK(std::get<rpc_response>(*failed).error == "boom");
}

TEST_CASE("push: unknown types are kept apart and garbage is an error naming the field", "[unit][push]") {
  auto u = decode_message(R"({"type":"daemon:something_new","payload":{"x":1}})");
  REQUIRE(u.has_value());
  CHECK(std::get<unknown>(*u).type == "daemon:something_new");
  CHECK_FALSE(decode_message("\x01\x02 not json").has_value());
  CHECK_FALSE(decode_message("[]").has_value());
  CHECK_FALSE(decode_message(R"({"payload":{}})").has_value());
  auto bad = decode_message(R"({"type":"daemon:task_available","payload":{"runtime_id":"../x"}})");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "daemon:task_available.payload.runtime_id: not a UUID");
  auto wrong = decode_message(R"({"type":"daemon:rpc_response","payload":{"request_id":"r","status":[1]}})");
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().message.find("status") != std::string::npos);
}

TEST_CASE("push: the daemon's heartbeat and claim RPC", "[unit][push]") {
  CHECK(json::parse(encode_heartbeat(rt)) ==
        json{{"type", "daemon:heartbeat"}, {"payload", {{"runtime_id", rt}, {"supports_batch_import", true}}}});
  batch_claim_request body{"host", {"b", "a"}, 3};
  auto j = json::parse(encode_claim_rpc("r7", body, 5s));
  CHECK(j.at("type") == "daemon:rpc_request");
  CHECK(j.at("payload").at("method") == "tasks.claim");
  CHECK(j.at("payload").at("timeout_ms") == 5000);
  CHECK(j.at("payload").at("body") == json::parse(encode(body)));
  CHECK(json::parse(encode(body)) == json{{"daemon_id", "host"}, {"runtime_ids", {"b", "a"}}, {"max_tasks", 3}});
}

TEST_CASE("push: the handshake target sorts the runtime ids", "[unit][push]") {
  CHECK(handshake_target("", {"b", "a"}) == "/api/daemon/ws?runtime_ids=a,b");
  CHECK(handshake_target("/multica", {"x y"}) == "/multica/api/daemon/ws?runtime_ids=x%20y");
}

TEST_CASE("push: reconnect back-off doubles from 1 s to 30 s within ±20 %", "[unit][push]") {
  CHECK(reconnect_delay(1, 0.5) == 1000ms);
  CHECK(reconnect_delay(2, 0.5) == 2000ms);
  CHECK(reconnect_delay(5, 0.5) == 16000ms);
  CHECK(reconnect_delay(6, 0.5) == 30000ms);
  CHECK(reconnect_delay(60, 0.5) == 30000ms);
  CHECK(reconnect_delay(1, 0.0) == 800ms);
  CHECK(reconnect_delay(6, 1.0) == 36000ms);
  CHECK(reconnect_delay(0, 2.0) == 1200ms);
}

TEST_CASE("batch claim: tasks decode and null or absent read as none", "[unit][push]") {
  auto r = decode_batch_claim(R"({"tasks":[)" + task_json + "]}");
  REQUIRE(r.has_value());
  REQUIRE(r->tasks.size() == 1);
  CHECK(r->tasks[0].runtime_id == rt);
  CHECK(decode_batch_claim(R"({"tasks":null})")->tasks.empty());
  CHECK(decode_batch_claim("{}")->tasks.empty());
  CHECK_FALSE(decode_batch_claim(R"({"tasks":{}})").has_value());
}
