// api_error as filled from real answers of every error-body producer
// (spec §1.3), and the token kept out of every error text.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"

using namespace multicad;
using namespace multicad::test;
using Catch::Contains;

namespace {
scripted_reply reply(int status, std::string body, std::string content_type = "application/json") {
  scripted_reply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}
}  // namespace

TEST_CASE_METHOD(client_fixture, "a state conflict reads like the reference daemon's error text", "[net]") {
  server.script(reply(400, "{\"error\":\"start task: no rows in result set\"}\n"));
  auto c = make_client();
  auto e = run(c->start("x")).error();
  CHECK(e.kind == net::failure_kind::http_status);
  CHECK(e.method == "POST");
  CHECK(e.path == "/api/daemon/tasks/x/start");
  CHECK(e.status == 400);
  CHECK(e.message == "start task: no rows in result set");
  CHECK(e.body_head == "{\"error\":\"start task: no rows in result set\"}\n");
  CHECK(e.to_string() == "POST /api/daemon/tasks/x/start returned 400: start task: no rows in result set");
}

TEST_CASE_METHOD(client_fixture, "not-found answers are told apart by their message", "[net]") {
  server.script(reply(404, "{\"error\":\"task not found\"}\n"));
  server.script(reply(404, "{\"error\":\"workspace not found\"}\n"));
  server.script(reply(404, "{\"error\":\"not found\"}\n"));
  auto c = make_client();
  auto task = run(c->status("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11")).error();
  CHECK(task.task_not_found());
  CHECK_FALSE(task.workspace_not_found());
  auto ws = run(c->register_runtimes({"0f1e2d3c-0000-4000-8000-000000000004", "d", "", "", "", {{"codex", "Codex", "1", "online"}}})).error();
  CHECK(ws.workspace_not_found());
  auto denied = run(c->status("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a12")).error();
  CHECK_FALSE(denied.task_not_found());
  CHECK(denied.message == "not found");
}

TEST_CASE_METHOD(client_fixture, "a 401 from the daemon auth middleware without a newline is unauthorized", "[net]") {
  server.script(reply(401, R"({"error":"invalid token"})"));
  auto c = make_client();
  auto e = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error();
  CHECK(e.unauthorized());
  CHECK(e.message == "invalid token");
  CHECK_FALSE(e.retryable());
}

TEST_CASE_METHOD(client_fixture, "a JSON-looking text plain 401 from the user middleware yields its message", "[net]") {
  server.script(reply(401, "{\"error\":\"missing authorization\"}\n", "text/plain; charset=utf-8"));
  auto c = make_client();
  auto e = run(c->list_workspaces()).error();
  CHECK(e.to_string() == "GET /api/workspaces returned 401: missing authorization");
}

TEST_CASE_METHOD(client_fixture, "the router's plain 404 and empty 405 are reported as they are", "[net]") {
  server.script(reply(404, "404 page not found\n", "text/plain; charset=utf-8"));
  server.script(reply(405, "", ""));
  auto c = make_client();
  CHECK(run(c->gc_check("")).error().to_string() == "GET /api/daemon/issues//gc-check returned 404: 404 page not found");
  CHECK(run(c->status("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11")).error().to_string() == "GET /api/daemon/tasks/7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11/status returned 405");
}

TEST_CASE_METHOD(client_fixture, "a large error body is cut to its head", "[net]") {
  server.script(reply(400, std::string(20'000, 'e')));
  auto c = make_client();
  auto e = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error();
  CHECK(e.message.size() == 4096);
  CHECK(e.body_head.size() == 512);
}

TEST_CASE_METHOD(client_fixture, "the token appears in no error text even when the server echoes it", "[net]") {
  auto echo = reply(500, "auth was: ");
  echo.echo_authorization = true;
  server.script(echo);
  auto bad_json = reply(200, "");
  bad_json.echo_authorization = true;
  server.script(bad_json);
  auto c = make_client(options(net::retry_policy::none()));
  std::vector<net::api_error> errors{run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error(), run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error()};
  net::server_client refused(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(closed_port()), test_token,
                             options(net::retry_policy::none()));
  errors.push_back(run(refused.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error());
  REQUIRE(errors[0].kind == net::failure_kind::http_status);
  REQUIRE(errors[1].kind == net::failure_kind::decode);
  CHECK_THAT(errors[0].body_head, Contains("[redacted]"));
  for (const auto& e : errors) {
    INFO(e.to_string());
    CHECK(e.to_string().find(test_token) == std::string::npos);
    CHECK(e.body_head.find(test_token) == std::string::npos);
    CHECK(e.message.find(test_token) == std::string::npos);
  }
}

TEST_CASE_METHOD(client_fixture, "a path that is not a valid request target is never sent nor retried", "[net][security]") {
  auto c = make_client();
  auto e = run(c->post_json("/api/daemon/tasks/x HTTP/1.1\r\nX-Inj: 0/fail", "{}", net::retry_policy{})).error();
  CHECK(e.kind == net::failure_kind::request);
  CHECK_FALSE(e.retryable());
  CHECK_THAT(e.to_string(), Contains("cannot be sent: the path is not a valid request target"));
  CHECK(server.requests().empty());
}

TEST_CASE_METHOD(client_fixture, "only a failure while connecting says the server cannot have acted", "[net]") {
  // The claim loop decides on this whether a lost claim may have handed out
  // a task; it must never depend on the wording of the system's error.
  auto dropped = reply(200, "");
  dropped.failure = scripted_reply::fault::drop_request;
  server.script(dropped);
  server.script(reply(404, "{\"error\":\"task not found\"}\n"));
  auto c = make_client(options(net::retry_policy::none()));
  auto lost = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error();
  CHECK(lost.kind == net::failure_kind::transport);
  CHECK(lost.may_have_reached_server);
  auto answered = run(c->start("x")).error();
  CHECK(answered.answer == net::server_answer::task_not_found);
  CHECK(answered.may_have_reached_server);
  net::server_client refused(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(closed_port()), test_token,
                             options(net::retry_policy::none()));
  auto never = run(refused.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).error();
  CHECK(never.kind == net::failure_kind::transport);
  CHECK_FALSE(never.may_have_reached_server);
  CHECK(never.answer == net::server_answer::other);
}
