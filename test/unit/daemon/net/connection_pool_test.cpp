// The idle-connection pool (daemon/net/connection_pool.hpp) with real
// loopback connections and an injected clock.
#include <catch2/catch.hpp>

#include "daemon/net/connection_pool.hpp"
#include "test_server.hpp"

using namespace multicad;
using namespace multicad::test;
using boost::asio::awaitable;
using clock_type = net::connection_pool::clock;

namespace {

// Opens `n` connections to `server` and hands them all to `pool`.
awaitable<int> fill(net::connection_pool& pool, const test_server& server, int n, clock_type::time_point at) {
  auto o = net::parse_origin(server.base_url());
  int opened = 0;
  for (int i = 0; i < n; ++i) {
    auto c = co_await net::connection::open(*o, nullptr);
    if (!c) co_return opened;
    pool.give_back(std::move(*c), at);
    ++opened;
  }
  co_return opened;
}

}  // namespace

TEST_CASE("the pool keeps at most four idle connections", "[net][pool]") {
  boost::asio::io_context ioc;
  test_server server(ioc);
  net::connection_pool pool;
  const auto now = clock_type::now();
  REQUIRE(run(ioc, fill(pool, server, 6, now)) == 6);
  CHECK(pool.idle_count() == net::max_idle_connections);
  CHECK(pool.take(now) != nullptr);
  CHECK(pool.idle_count() == 3);
}

TEST_CASE("the pool drops connections idle for longer than the limit", "[net][pool]") {
  boost::asio::io_context ioc;
  test_server server(ioc);
  net::connection_pool pool;
  const auto then = clock_type::now();
  REQUIRE(run(ioc, fill(pool, server, 2, then)) == 2);
  CHECK(pool.take(then + net::max_idle_time + std::chrono::seconds(1)) == nullptr);
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("the pool never hands out a connection the server has closed", "[net][pool]") {
  boost::asio::io_context ioc;
  test_server server(ioc);
  net::connection_pool pool;
  const auto now = clock_type::now();
  REQUIRE(run(ioc, fill(pool, server, 2, now)) == 2);
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(20));  // let the server accept both
  REQUIRE(server.connections() == 2);
  server.close_connections();
  ioc.run_for(std::chrono::milliseconds(20));  // and its FINs arrive
  CHECK(pool.take(now) == nullptr);
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("close_all empties the pool", "[net][pool]") {
  boost::asio::io_context ioc;
  test_server server(ioc);
  net::connection_pool pool;
  REQUIRE(run(ioc, fill(pool, server, 3, clock_type::now())) == 3);
  pool.close_all();
  CHECK(pool.idle_count() == 0);
}
