// Backoff arithmetic (daemon/net/retry.hpp), with fixed and seeded draws.
#include <catch2/catch.hpp>

#include <set>

#include "daemon/net/retry.hpp"

using namespace multicad::net;
using std::chrono::milliseconds;

TEST_CASE("backoff doubles from the initial wait until the cap", "[net][retry]") {
  retry_policy p{6, milliseconds(500), milliseconds(3000), 0.0};
  CHECK(backoff_delay(p, 0, 0.5) == milliseconds(500));
  CHECK(backoff_delay(p, 1, 0.5) == milliseconds(1000));
  CHECK(backoff_delay(p, 2, 0.5) == milliseconds(2000));
  CHECK(backoff_delay(p, 3, 0.5) == milliseconds(3000));
  CHECK(backoff_delay(p, 4, 0.5) == milliseconds(3000));
}

TEST_CASE("jitter scales the capped wait between one minus and one plus the jitter", "[net][retry]") {
  retry_policy p{4, milliseconds(1000), milliseconds(30'000), 0.2};
  CHECK(backoff_delay(p, 0, 0.0) == milliseconds(800));
  CHECK(backoff_delay(p, 0, 0.5) == milliseconds(1000));
  CHECK(backoff_delay(p, 0, 1.0) == milliseconds(1200));
  CHECK(backoff_delay(p, 10, 1.0) == milliseconds(36'000));  // the cap applies before the jitter
}

TEST_CASE("seeded draws stay inside the jitter bounds and vary", "[net][retry]") {
  retry_policy p{4, milliseconds(500), milliseconds(30'000), 0.2};
  std::mt19937_64 rng(42);
  std::set<long long> seen;
  for (int retry = 0; retry < 8; ++retry) {
    const double base = std::min(30'000.0, 500.0 * (1 << retry));
    for (int i = 0; i < 200; ++i) {
      auto d = backoff_delay(p, retry, rng).count();
      CHECK(d >= static_cast<long long>(base * 0.8));
      CHECK(d <= static_cast<long long>(base * 1.2) + 1);
      seen.insert(d);
    }
  }
  CHECK(seen.size() > 100);
}

TEST_CASE("the same seed gives the same waits", "[net][retry]") {
  retry_policy p{4, milliseconds(500), milliseconds(30'000), 0.2};
  std::mt19937_64 a(7), b(7);
  for (int retry = 0; retry < 5; ++retry) CHECK(backoff_delay(p, retry, a) == backoff_delay(p, retry, b));
}

TEST_CASE("out of range policies give sane waits", "[net][retry]") {
  CHECK(backoff_delay(retry_policy{4, milliseconds(100), milliseconds(1000), 5.0}, 0, 1.0) == milliseconds(200));
  CHECK(backoff_delay(retry_policy{4, milliseconds(100), milliseconds(1000), -1.0}, 0, 1.0) == milliseconds(100));
  CHECK(backoff_delay(retry_policy{4, milliseconds(-5), milliseconds(1000), 0.2}, 3, 0.7) == milliseconds(0));
  CHECK(backoff_delay(retry_policy{4, milliseconds(100), milliseconds(1000), 0.0}, 5000, 0.5) == milliseconds(1000));
  CHECK(backoff_delay(retry_policy::none(), 0, 0.5) == milliseconds(0));
}
