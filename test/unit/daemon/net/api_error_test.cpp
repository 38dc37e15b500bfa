// api_error predicates and text (daemon/net/server_client.hpp).
#include <catch2/catch.hpp>

#include "daemon/net/server_client.hpp"

using namespace multicad::net;

namespace {
api_error http(int status, std::string message) {
  api_error e{failure_kind::http_status, "POST", "/api/daemon/tasks/x/start", status, std::move(message), "", 1};
  e.answer = classify_answer(status, e.message);
  return e;
}
}  // namespace

TEST_CASE("an http error reads as method path status and the server's message", "[net][api_error]") {
  CHECK(http(400, "start task: no rows in result set").to_string() ==
        "POST /api/daemon/tasks/x/start returned 400: start task: no rows in result set");
  CHECK(http(405, "").to_string() == "POST /api/daemon/tasks/x/start returned 405");
}

TEST_CASE("transport timeout and decode errors read as what happened", "[net][api_error]") {
  api_error t{failure_kind::transport, "POST", "/api/daemon/heartbeat", 0, "connect to 127.0.0.1:1: Connection refused"};
  CHECK(t.to_string() == "POST /api/daemon/heartbeat failed: connect to 127.0.0.1:1: Connection refused");
  api_error o{failure_kind::timeout, "GET", "/api/workspaces", 0, "timed out after 30s"};
  CHECK(o.to_string() == "GET /api/workspaces timed out after 30s");
  api_error d{failure_kind::decode, "GET", "/api/daemon/tasks/t/status", 0, "status.status: missing or empty"};
  CHECK(d.to_string() == "GET /api/daemon/tasks/t/status returned an unexpected body: status.status: missing or empty");
}

TEST_CASE("an error after several sends says how many", "[net][api_error]") {
  auto e = http(503, "unavailable");
  e.attempts = 4;
  CHECK(e.to_string() == "POST /api/daemon/tasks/x/start returned 503: unavailable (after 4 attempts)");
}

TEST_CASE("the predicates match the server's exact messages", "[net][api_error]") {
  CHECK(http(404, "workspace not found").workspace_not_found());
  CHECK_FALSE(http(404, "not found").workspace_not_found());
  CHECK(http(404, "task not found").task_not_found());
  CHECK_FALSE(http(404, "not found").task_not_found());
  CHECK_FALSE(http(400, "task not found").task_not_found());
  CHECK(http(400, "complete task: no rows in result set").state_conflict());
  CHECK_FALSE(http(500, "complete task: no rows in result set").state_conflict());
  CHECK_FALSE(http(400, "invalid request body").state_conflict());
  CHECK(http(401, "invalid token").unauthorized());
}

TEST_CASE("transport timeouts and 5xx and 408 and 429 are retryable while other 4xx and decode errors are not", "[net][api_error]") {
  CHECK(api_error{failure_kind::transport}.retryable());
  CHECK(api_error{failure_kind::timeout}.retryable());
  CHECK(http(500, "").retryable());
  CHECK(http(503, "").retryable());
  CHECK_FALSE(http(400, "").retryable());
  CHECK_FALSE(http(404, "").retryable());
  CHECK(http(429, "").retryable());  // "not now", like a 5xx: a report must not be dropped for it
  CHECK(http(408, "").retryable());
  CHECK_FALSE(http(409, "").retryable());
  CHECK_FALSE(api_error{failure_kind::decode}.retryable());
  CHECK_FALSE(api_error{failure_kind::request}.retryable());
}

TEST_CASE("value on a failed result throws the error text", "[net][api_error]") {
  api_result<int> r = http(404, "task not found");
  CHECK_THROWS_WITH(r.value(), "POST /api/daemon/tasks/x/start returned 404: task not found");
}
