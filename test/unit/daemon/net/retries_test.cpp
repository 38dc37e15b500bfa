// Which failures are retried, how often, and the claim exception.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"

using namespace multicad;
using namespace multicad::test;
using Catch::Contains;

TEST_CASE_METHOD(client_fixture, "a burst of 5xx answers is retried until success", "[net]") {
  server.script(503, R"({"error":"unavailable"})");
  server.script(502, "<html>bad gateway</html>");
  server.script(500, "{\"error\":\"heartbeat failed\"}\n");
  auto c = make_client();
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE(beat.has_value());
  CHECK(server.requests().size() == 4);
  REQUIRE(records.size() == 4);
  CHECK(records[0].status == 503);
  CHECK(records[2].status == 500);
  CHECK(records[3].ok);
}

TEST_CASE_METHOD(client_fixture, "5xx answers beyond the attempt budget give the last error", "[net]") {
  for (int i = 0; i < 3; ++i) server.script(503, R"({"error":"unavailable"})");
  auto c = make_client(options(fast_retries(3)));
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::http_status);
  CHECK(beat.error().status == 503);
  CHECK(beat.error().attempts == 3);
  CHECK(beat.error().retryable());
  CHECK(beat.error().to_string() == "POST /api/daemon/heartbeat returned 503: unavailable (after 3 attempts)");
  CHECK(server.requests().size() == 3);
}

TEST_CASE_METHOD(client_fixture, "a 4xx answer is never retried", "[net]") {
  server.script(400, "{\"error\":\"start task: no rows in result set\"}\n");
  auto c = make_client();
  auto started = run(c->start("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11"));
  REQUIRE_FALSE(started.has_value());
  CHECK(started.error().attempts == 1);
  CHECK(started.error().state_conflict());
  CHECK(server.requests().size() == 1);
}

TEST_CASE_METHOD(client_fixture, "a per-call policy replaces the client's", "[net]") {
  server.script(503, "{}");
  auto c = make_client();
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}, net::retry_policy::none()));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().attempts == 1);
  CHECK(server.requests().size() == 1);
}

TEST_CASE_METHOD(client_fixture, "an undecodable 2xx body is a decode error and not retried", "[net]") {
  server.script(200, "not json");
  auto c = make_client();
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::decode);
  CHECK(beat.error().message == "heartbeat: not valid JSON (starts with \"not json\")");
  CHECK(beat.error().body_head == "not json");
  CHECK(beat.error().attempts == 1);
  CHECK_FALSE(beat.error().retryable());
  CHECK(server.requests().size() == 1);
}

TEST_CASE_METHOD(client_fixture, "a well-formed body of the wrong shape is a decode error naming the field", "[net]") {
  server.script(200, R"({"runtimes":[{"id":7}]})");
  auto c = make_client();
  auto reg = run(c->register_runtimes({"0f1e2d3c-0000-4000-8000-000000000004", "d", "", "", "", {{"codex", "Codex", "1", "online"}}}));
  REQUIRE_FALSE(reg.has_value());
  CHECK(reg.error().kind == net::failure_kind::decode);
  CHECK(reg.error().to_string() ==
        "POST /api/daemon/register returned an unexpected body: register.runtimes[0].id: expected a string, got integer");
}

TEST_CASE_METHOD(client_fixture, "a claim answered with 5xx is not retried", "[net]") {
  server.script(500, R"({"error":"failed to claim task: boom"})");
  auto c = make_client();
  auto claimed = run(c->claim("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE_FALSE(claimed.has_value());
  CHECK(claimed.error().status == 500);
  CHECK(claimed.error().attempts == 1);
  CHECK(server.requests().size() == 1);
}

TEST_CASE_METHOD(client_fixture, "a refused connection is retried and reported", "[net]") {
  net::server_client c(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(closed_port()), test_token, options());
  auto beat = run(c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::transport);
  CHECK(beat.error().attempts == 4);
  CHECK(beat.error().status == 0);
  CHECK_THAT(beat.error().to_string(), Contains("POST /api/daemon/heartbeat failed: connect to 127.0.0.1:"));
  CHECK_THAT(beat.error().message, Contains("Connection refused"));
  CHECK(records.size() == 4);
}

TEST_CASE_METHOD(client_fixture, "a claim that could not connect is retried", "[net]") {
  net::server_client c(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(closed_port()), test_token, options());
  auto claimed = run(c.claim("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE_FALSE(claimed.has_value());
  CHECK(claimed.error().attempts == 4);
}

TEST_CASE_METHOD(client_fixture, "a truncated body is a transport error and the retry uses a new connection", "[net]") {
  scripted_reply cut;
  cut.body = R"({"status":"ok","padding":"0123456789"})";
  cut.failure = scripted_reply::fault::truncate_body;
  server.script(cut);
  server.script(cut);
  auto c = make_client(options(net::retry_policy::none()));
  auto once = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(once.has_value());
  CHECK(once.error().kind == net::failure_kind::transport);
  CHECK_THAT(once.error().message, Contains("truncated"));
  CHECK(server.requests().size() == 1);  // a response had started: not a stale connection

  auto retried = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}, fast_retries(2)));
  REQUIRE(retried.has_value());
  CHECK(server.requests().size() == 3);
  CHECK(server.connections() == 3);
}

TEST_CASE_METHOD(client_fixture, "a body over the size limit is refused", "[net]") {
  server.script(200, std::string(9 * 1024 * 1024, ' ') + "{}");
  auto c = make_client(options(net::retry_policy::none()));
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::transport);
  CHECK_THAT(beat.error().message, Contains("larger than 8388608 bytes"));
}

TEST_CASE_METHOD(client_fixture, "an unusable base URL fails every call without sending", "[net]") {
  net::server_client c(ioc.get_executor(), "ws://localhost:8080/ws", test_token, options());
  CHECK(c.base_url() == "ws://localhost:8080/ws");
  auto beat = run(c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::transport);
  CHECK(beat.error().attempts == 0);
  CHECK_THAT(beat.error().message, Contains("invalid server URL: unsupported scheme"));
  CHECK(records.empty());
}
