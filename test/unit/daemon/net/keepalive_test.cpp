// Connection reuse: one keep-alive connection for sequential calls, one per
// overlapping call, the idle cap, and transparent replacement of connections
// the server closed while they sat idle.
#include <catch2/catch.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "client_fixture.hpp"

using namespace multicad;
using namespace multicad::test;
using namespace boost::asio::experimental::awaitable_operators;
using boost::asio::awaitable;

namespace {

scripted_reply slow_ok(int ms) {
  scripted_reply r;
  r.delay = std::chrono::milliseconds(ms);
  return r;
}

// Starts `n` heartbeats at once and waits for all of them.
// The request is a named local: GCC 12 destroys a brace-initialised aggregate
// temporary inside a co_await expression twice.
awaitable<int> concurrent_heartbeats(net::server_client& c, int n) {
  int ok = 0;
  const multicad::proto::server::heartbeat_request beat{"5e6f7a8b-0000-4000-8000-000000000002"};
  auto one = [&]() -> awaitable<void> {
    auto r = co_await c.heartbeat(beat);
    if (r) ++ok;
  };
  if (n == 3) co_await (one() && one() && one());
  if (n == 6) co_await (one() && one() && one() && one() && one() && one());
  co_return ok;
}

}  // namespace

TEST_CASE_METHOD(client_fixture, "sequential requests share one keep-alive connection", "[net]") {
  auto c = make_client();
  for (int i = 0; i < 10; ++i) REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.requests().size() == 10);
  CHECK(server.connections() == 1);
}

TEST_CASE_METHOD(client_fixture, "overlapping requests each take a connection and later requests reuse them", "[net]") {
  server.on_request([](const recorded_request&) { return slow_ok(30); });
  auto c = make_client();
  CHECK(run(concurrent_heartbeats(*c, 3)) == 3);
  CHECK(server.connections() == 3);
  for (int i = 0; i < 3; ++i) REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 3);
}

TEST_CASE_METHOD(client_fixture, "no more than four connections are kept idle", "[net]") {
  server.on_request([](const recorded_request&) { return slow_ok(30); });
  auto c = make_client();
  CHECK(run(concurrent_heartbeats(*c, 6)) == 6);
  CHECK(server.connections() == 6);
  CHECK(run(concurrent_heartbeats(*c, 6)) == 6);
  CHECK(server.connections() == 8);  // four reused, two new
}

TEST_CASE_METHOD(client_fixture, "a connection the server closed while idle is replaced without a failed send", "[net]") {
  scripted_reply then_close;
  then_close.close_after = true;
  server.script(then_close);
  auto c = make_client(options(net::retry_policy::none()));
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 2);
  CHECK(server.requests().size() == 3);
  CHECK(records.size() == 3);
}

TEST_CASE_METHOD(client_fixture, "a request lost on a stale reused connection is resent once without counting an attempt",
                 "[net]") {
  server.script(scripted_reply{});
  scripted_reply dropped;
  dropped.failure = scripted_reply::fault::drop_request;
  server.script(dropped);
  auto c = make_client(options(net::retry_policy::none()));
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  auto second = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE(second.has_value());
  CHECK(server.requests().size() == 3);
  CHECK(server.requests()[2].connection == 2);
  REQUIRE(records.size() == 3);
  CHECK(records[1].status == 0);
  CHECK_FALSE(records[1].ok);
}

TEST_CASE_METHOD(client_fixture, "a claim lost on a reused connection is not resent", "[net]") {
  server.script(scripted_reply{});
  scripted_reply dropped;
  dropped.failure = scripted_reply::fault::drop_request;
  server.script(dropped);
  auto c = make_client();
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  auto claimed = run(c->claim("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE_FALSE(claimed.has_value());
  CHECK(claimed.error().kind == net::failure_kind::transport);
  CHECK(claimed.error().attempts == 1);
  CHECK(server.requests().size() == 2);
  CHECK(server.connections() == 1);
}

TEST_CASE_METHOD(client_fixture, "a response with Connection close is not reused", "[net]") {
  scripted_reply closing;
  closing.keep_alive = false;
  server.script(closing);
  auto c = make_client();
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 2);
  CHECK(records.size() == 2);
}

TEST_CASE_METHOD(client_fixture, "close drops the idle connections", "[net]") {
  auto c = make_client();
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  c->close();
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 2);
}
