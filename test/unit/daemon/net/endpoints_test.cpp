// Each endpoint's method, path and body on the wire, the headers every
// request carries, and the decoded answers.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"
#include "proto/server/codec.hpp"

using namespace multicad;
using namespace multicad::test;
namespace ps = multicad::proto::server;

namespace {

// Answers like the server would, by path.
scripted_reply reply_by_path(const recorded_request& r) {
  scripted_reply reply;
  auto ends_with = [&](const std::string& s) { return r.target.size() >= s.size() && r.target.ends_with(s); };
  if (r.target == "/api/workspaces") reply.body = R"([{"id":"0f1e2d3c-0000-4000-8000-000000000004","name":"Acme","slug":"acme"}])";
  if (ends_with("/register")) reply.body = R"({"runtimes":[{"id":"5e6f7a8b-0000-4000-8000-000000000002","provider":"codex"}],"repos":[],"repos_version":"v"})";
  if (ends_with("/heartbeat")) reply.body = R"({"status":"ok","pending_ping":{"id":"9f2c0000000000000000000000000001"}})";
  if (ends_with("/tasks/claim")) reply.body = R"({"task":{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","agent_id":"1a2b3c4d-0000-4000-8000-000000000001","runtime_id":"5e6f7a8b-0000-4000-8000-000000000002","status":"dispatched"}})";
  if (ends_with("/tasks/pending")) reply.body = R"([{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","status":"queued"},{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a12","status":"dispatched"}])";
  if (ends_with("/start") || ends_with("/complete") || ends_with("/fail")) reply.body = R"({"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","status":"running"})";
  if (ends_with("/status")) reply.body = "{\"status\":\"running\"}\n";
  if (ends_with("/gc-check")) reply.body = R"({"status":"done","updated_at":"2026-04-12T09:30:05.5Z"})";
  return reply;
}

void check_request(const recorded_request& r, const std::string& method, const std::string& target,
                   const std::string& body) {
  INFO(method << " " << target);
  CHECK(r.method == method);
  CHECK(r.target == target);
  CHECK(r.body == body);
  CHECK(r.header("authorization") == "Bearer " + test_token);
}

}  // namespace

TEST_CASE_METHOD(client_fixture, "workspace and runtime endpoints send their method path and body", "[net]") {
  server.on_request(reply_by_path);
  auto c = make_client();
  ps::register_request reg{"0f1e2d3c-0000-4000-8000-000000000004", "host-a", "host-a", "0.1.0", "", {{"codex", "Codex", "0.171.0", "online"}}};

  auto ws = run(c->list_workspaces());
  REQUIRE(ws.has_value());
  CHECK(ws->at(0).name == "Acme");
  auto registered = run(c->register_runtimes(reg));
  REQUIRE(registered.has_value());
  CHECK(registered->runtimes.at(0).id == "5e6f7a8b-0000-4000-8000-000000000002");
  REQUIRE(run(c->deregister({{"5e6f7a8b-0000-4000-8000-000000000002", "5e6f7a8b-0000-4000-8000-000000000003"}})).has_value());
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE(beat.has_value());
  CHECK(beat->pending_ping_id == "9f2c0000000000000000000000000001");

  const auto& reqs = server.requests();
  REQUIRE(reqs.size() == 4);
  check_request(reqs[0], "GET", "/api/workspaces", "");
  check_request(reqs[1], "POST", "/api/daemon/register", ps::encode(reg));
  check_request(reqs[2], "POST", "/api/daemon/deregister", R"({"runtime_ids":["5e6f7a8b-0000-4000-8000-000000000002","5e6f7a8b-0000-4000-8000-000000000003"]})");
  check_request(reqs[3], "POST", "/api/daemon/heartbeat", R"({"runtime_id":"5e6f7a8b-0000-4000-8000-000000000002"})");
}

TEST_CASE_METHOD(client_fixture, "task endpoints send their method path and body", "[net]") {
  server.on_request(reply_by_path);
  auto c = make_client();
  ps::messages_request msgs{{{1, "text", "", "hi", "", ""}}};
  ps::usage_request usage{{{"codex", "gpt-5", 1, 2, 3, 4}}};

  auto claimed = run(c->claim("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE(claimed.has_value());
  REQUIRE(claimed->claimed.has_value());
  CHECK(claimed->claimed->id == "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11");
  auto pending = run(c->pending("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE(pending.has_value());
  CHECK(pending->size() == 2);
  REQUIRE(run(c->start("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11")).has_value());
  REQUIRE(run(c->progress("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11", {"Launching codex", 1, 2})).has_value());
  REQUIRE(run(c->messages("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11", msgs)).has_value());
  REQUIRE(run(c->usage("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11", usage)).has_value());
  REQUIRE(run(c->complete("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11", {"done", "", ""})).has_value());
  REQUIRE(run(c->fail("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11", {"boom"})).has_value());
  auto status = run(c->status("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11"));
  REQUIRE(status.has_value());
  CHECK(status->status == "running");

  const auto& reqs = server.requests();
  REQUIRE(reqs.size() == 9);
  check_request(reqs[0], "POST", "/api/daemon/runtimes/5e6f7a8b-0000-4000-8000-000000000002/tasks/claim", "{}");
  check_request(reqs[1], "GET", "/api/daemon/runtimes/5e6f7a8b-0000-4000-8000-000000000002/tasks/pending", "");
  check_request(reqs[2], "POST", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/start", "{}");
  check_request(reqs[3], "POST", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/progress", R"({"summary":"Launching codex","step":1,"total":2})");
  check_request(reqs[4], "POST", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/messages", ps::encode(msgs));
  check_request(reqs[5], "POST", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/usage", ps::encode(usage));
  check_request(reqs[6], "POST", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/complete", R"({"output":"done"})");
  check_request(reqs[7], "POST", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/fail", R"({"error":"boom"})");
  check_request(reqs[8], "GET", "/api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/status", "");
}

TEST_CASE_METHOD(client_fixture, "ping update and gc-check endpoints send their method path and body", "[net]") {
  server.on_request(reply_by_path);
  auto c = make_client();
  REQUIRE(run(c->ping_result("5e6f7a8b-0000-4000-8000-000000000002", "9f2c0000000000000000000000000001", {"completed", "pong", "", 42})).has_value());
  REQUIRE(run(c->update_result("5e6f7a8b-0000-4000-8000-000000000002", "41ab0000000000000000000000000002", {"running", "", ""})).has_value());
  auto gc = run(c->gc_check("9c8d7e6f-0000-4000-8000-000000000003"));
  REQUIRE(gc.has_value());
  CHECK(gc->status == "done");

  const auto& reqs = server.requests();
  REQUIRE(reqs.size() == 3);
  check_request(reqs[0], "POST", "/api/daemon/runtimes/5e6f7a8b-0000-4000-8000-000000000002/ping/9f2c0000000000000000000000000001/result",
                R"({"status":"completed","output":"pong","error":"","duration_ms":42})");
  check_request(reqs[1], "POST", "/api/daemon/runtimes/5e6f7a8b-0000-4000-8000-000000000002/update/41ab0000000000000000000000000002/result", R"({"status":"running","output":"","error":""})");
  check_request(reqs[2], "GET", "/api/daemon/issues/9c8d7e6f-0000-4000-8000-000000000003/gc-check", "");
}

TEST_CASE_METHOD(client_fixture, "every request carries the bearer token and JSON headers", "[net]") {
  auto c = make_client();
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  server.script(200, R"({"status":"done"})");
  REQUIRE(run(c->status("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11")).has_value());

  const auto& post = server.requests().at(0);
  CHECK(post.header("authorization") == "Bearer " + test_token);
  CHECK(post.header("content-type") == "application/json");
  CHECK(post.header("accept") == "application/json");
  CHECK(post.header("user-agent") == "multicad-test/1");
  CHECK(post.header("host") == "127.0.0.1:" + std::to_string(server.port()));

  const auto& get = server.requests().at(1);
  CHECK(get.header("authorization") == "Bearer " + test_token);
  CHECK(get.header("content-type").empty());
  CHECK(get.header("accept") == "application/json");
  CHECK(get.body.empty());
  CHECK((get.header("content-length").empty() || get.header("content-length") == "0"));
}

TEST_CASE_METHOD(client_fixture, "a base URL path is prefixed to every endpoint path", "[net]") {
  net::server_client c(ioc.get_executor(), server.base_url() + "/multica", test_token, options());
  REQUIRE(run(c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.requests().at(0).target == "/multica/api/daemon/heartbeat");
  CHECK(records.at(0).path == "/api/daemon/heartbeat");
}

TEST_CASE_METHOD(client_fixture, "an empty claim decodes to no task", "[net]") {
  server.script(200, "{\"task\":null}\n");
  auto c = make_client();
  auto claimed = run(c->claim("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE(claimed.has_value());
  CHECK_FALSE(claimed->claimed.has_value());
}

TEST_CASE_METHOD(client_fixture, "on_request reports each attempt with status latency and outcome", "[net]") {
  server.script(503, R"({"error":"busy"})");
  auto c = make_client();
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  REQUIRE(records.size() == 2);
  CHECK(records[0].method == "POST");
  CHECK(records[0].path == "/api/daemon/heartbeat");
  CHECK(records[0].status == 503);
  CHECK_FALSE(records[0].ok);
  CHECK(records[1].status == 200);
  CHECK(records[1].ok);
  CHECK(records[1].latency < std::chrono::seconds(1));
}

TEST_CASE_METHOD(client_fixture, "a chunked response body is read whole", "[net]") {
  scripted_reply chunked;
  chunked.chunked = true;
  chunked.body = R"([{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","status":"queued","padding":")" + std::string(10'000, 'x') + R"("}])";
  server.script(chunked);
  auto c = make_client();
  auto pending = run(c->pending("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE(pending.has_value());
  CHECK(pending->at(0).id == "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11");
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 1);
}
