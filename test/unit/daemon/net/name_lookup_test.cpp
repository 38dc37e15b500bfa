// Host names are looked up without Asio's resolver service, whose thread a
// fork (every agent spawn) stops for good in Boost 1.81.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <optional>

#include "client_fixture.hpp"
#include "daemon/net/name_lookup.hpp"

using namespace multicad;
using namespace multicad::test;

namespace {

std::string with_host(std::string url, const std::string& host) {
  auto at = url.find("127.0.0.1");
  return url.replace(at, std::string("127.0.0.1").size(), host);
}

}  // namespace

TEST_CASE("an IP literal is answered at once without a lookup and a bad port is refused", "[net][lookup]") {
  boost::asio::io_context ioc;
  std::optional<net::lookup_result> got;
  boost::asio::co_spawn(ioc, net::look_up("::1", "8080"), [&](std::exception_ptr, net::lookup_result r) { got = r; });
  // Only handlers that are ready now: the answer does not wait for a lookup thread.
  ioc.poll();
  REQUIRE(got);
  REQUIRE(got->error.empty());
  REQUIRE(got->endpoints.size() == 1);
  CHECK(got->endpoints[0].address().is_v6());
  CHECK(got->endpoints[0].port() == 8080);
  CHECK(run(ioc, net::look_up("127.0.0.1", "70000")).error == "invalid port 70000");
}

TEST_CASE("a host name is looked up to its addresses", "[net][lookup]") {
  boost::asio::io_context ioc;
  auto r = run(ioc, net::look_up("localhost", "443"));
  REQUIRE(r.error.empty());
  REQUIRE_FALSE(r.endpoints.empty());
  CHECK(r.endpoints[0].port() == 443);
}

// What Boost.Process's launcher does around every fork, right while the
// client is looking up the server's name for a new connection. With Asio's
// resolver the lookup then never completed and the request ran into its
// timeout; the daemon saw it as a 30 s stall of a claim after a spawn.
TEST_CASE_METHOD(client_fixture, "a request whose host lookup overlaps a fork is answered at once", "[net][lookup]") {
  auto o = options(net::retry_policy::none());
  auto c = std::make_unique<net::server_client>(ioc.get_executor(), with_host(server.base_url(), "localhost"), test_token, o);
  for (int round = 0; round < 20; ++round) {
    c->close();  // no idle connection: the next request looks the name up
    std::optional<bool> ok;
    boost::asio::co_spawn(ioc, c->heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}), [&](std::exception_ptr, auto r) { ok = r.has_value(); });
    boost::asio::post(ioc, [&] {
      ioc.notify_fork(boost::asio::execution_context::fork_prepare);
      ioc.notify_fork(boost::asio::execution_context::fork_parent);
    });
    while (!ok) ioc.run_one();
    ioc.restart();
    INFO("round " << round);
    REQUIRE(*ok);  // a stalled lookup runs into the 2 s request timeout and fails the call (no retries)
  }
}
