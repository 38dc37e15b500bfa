// The per-request timeout, and cancellation by the caller (a `||` with a
// shutdown signal, or a cancellation slot) during a request or a backoff.
#include <catch2/catch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client_fixture.hpp"

using namespace multicad;
using namespace multicad::test;
using namespace boost::asio::experimental::awaitable_operators;
using boost::asio::awaitable;
using std::chrono::milliseconds;

namespace {

scripted_reply slow(int ms) {
  scripted_reply r;
  r.delay = milliseconds(ms);
  return r;
}

// A reply later than run()'s own limit (5 s): a call that ends at all before
// run() gives up ended by its timeout or its cancellation, never by the reply,
// so no test needs a wall-clock bound to tell the two apart.
scripted_reply never() { return slow(60'000); }

// The shutdown signal of the daemon, as a timer: the stimulus under test.
awaitable<void> shutdown_signal_after(milliseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

// True when the heartbeat finished first, false when `shutdown_after` did.
// (The request is a named local: GCC 12 destroys a brace-initialised
// aggregate temporary inside a co_await expression twice.)
awaitable<bool> heartbeat_or_shutdown(net::server_client& c, milliseconds shutdown_after) {
  const multicad::proto::server::heartbeat_request beat{"5e6f7a8b-0000-4000-8000-000000000002"};
  auto won = co_await (c.heartbeat(beat) || shutdown_signal_after(shutdown_after));
  co_return won.index() == 0;
}

}  // namespace

TEST_CASE_METHOD(client_fixture, "a slow server gives a timeout after the configured time", "[net]") {
  server.script(never());
  auto o = options(net::retry_policy::none());
  o.request_timeout = milliseconds(150);
  auto c = make_client(o);
  stopwatch sw;
  auto beat = run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(sw.ms() >= 140);  // not before the configured time (timers never fire early)
  CHECK(beat.error().kind == net::failure_kind::timeout);
  CHECK(beat.error().to_string() == "POST /api/daemon/heartbeat timed out after 150ms");
  CHECK(beat.error().retryable());
}

TEST_CASE_METHOD(client_fixture, "a timed-out request is retried on a new connection", "[net]") {
  server.script(never());
  auto o = options(fast_retries(2));
  o.request_timeout = milliseconds(100);
  auto c = make_client(o);
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 2);
  CHECK(records.size() == 2);
}

TEST_CASE_METHOD(client_fixture, "a claim that timed out after sending is not retried", "[net]") {
  server.script(never());
  auto o = options();
  o.request_timeout = milliseconds(100);
  auto c = make_client(o);
  auto claimed = run(c->claim("5e6f7a8b-0000-4000-8000-000000000002"));
  REQUIRE_FALSE(claimed.has_value());
  CHECK(claimed.error().kind == net::failure_kind::timeout);
  CHECK(claimed.error().attempts == 1);
  CHECK(server.requests().size() == 1);
}

TEST_CASE_METHOD(client_fixture, "a shutdown signal ends a request waiting on a slow server at once", "[net]") {
  server.script(never());
  auto o = options();
  o.request_timeout = std::chrono::seconds(30);
  auto c = make_client(o);
  CHECK_FALSE(run(heartbeat_or_shutdown(*c, milliseconds(50))));  // the reply never comes: the signal ended it
}

TEST_CASE_METHOD(client_fixture, "a shutdown signal ends the backoff wait between retries at once", "[net]") {
  server.on_request([](const recorded_request&) {
    scripted_reply r;
    r.status = 503;
    return r;
  });
  // A 10 s backoff, beyond run()'s 5 s limit: finishing at all means the signal ended the wait.
  auto c = make_client(options({4, std::chrono::seconds(10), std::chrono::seconds(10), 0.0}));
  CHECK_FALSE(run(heartbeat_or_shutdown(*c, milliseconds(50))));
  CHECK(server.requests().size() == 1);
}

TEST_CASE_METHOD(client_fixture, "a cancellation slot ends a call and returns the failure", "[net]") {
  server.script(never());
  auto o = options();
  o.request_timeout = std::chrono::seconds(30);
  auto c = make_client(o);
  boost::asio::cancellation_signal cancel;
  std::optional<net::api_result<multicad::proto::server::status_response>> result;
  boost::asio::co_spawn(ioc, c->status("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11"),
                        boost::asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, auto r) {
                          result = std::move(r);
                        }));
  boost::asio::steady_timer later(ioc, milliseconds(50));
  // Terminal: a co_spawned coroutine thread lets only terminal cancellation in by default.
  later.async_wait([&](auto) { cancel.emit(boost::asio::cancellation_type::terminal); });
  stopwatch sw;  // bounds the test only: the reply never comes, so a result is the cancellation's
  while (!result && sw.ms() < 10'000) ioc.run_one_for(milliseconds(100));
  REQUIRE(result.has_value());
  REQUIRE_FALSE(result->has_value());
  CHECK(result->error().kind == net::failure_kind::transport);
  CHECK(result->error().message == "cancelled");
  CHECK(result->error().attempts == 1);
}

TEST_CASE_METHOD(client_fixture, "the client keeps working after a cancelled call", "[net]") {
  server.script(never());
  auto o = options();
  o.request_timeout = std::chrono::seconds(30);
  auto c = make_client(o);
  CHECK_FALSE(run(heartbeat_or_shutdown(*c, milliseconds(30))));
  REQUIRE(run(c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(server.connections() == 2);  // the abandoned connection was not pooled
}
