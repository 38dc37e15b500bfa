// The task shell's deadlines (daemon/core/task_timers.hpp) on a real
// io_context: a later re-arm moves the deadline without a second expiry, an
// earlier one re-arms for real, a cancel fires nothing, and each wait keeps
// its owner alive. run_for's bound only stops a broken timer from hanging
// the suite; no assertion depends on how fast anything ran.
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "daemon/core/task_timers.hpp"

using namespace std::chrono_literals;
using multicad::core::task_timers;
using multicad::proto::lifecycle::timer;
using clock_type = std::chrono::steady_clock;

namespace {

struct fixture {
  boost::asio::io_context io;
  std::vector<timer> fired;
  std::vector<clock_type::time_point> at;
  task_timers timers{io.get_executor(), [this](timer t) {
                       fired.push_back(t);
                       at.push_back(clock_type::now());
                     }};
  std::shared_ptr<int> owner = std::make_shared<int>(0);
  void run() { io.run_for(60s); }
};

}  // namespace

TEST_CASE("a timer re-armed to a later deadline fires once and not before the later one", "[daemon][task_timers]") {
  fixture f;
  const auto begin = clock_type::now();
  f.timers.arm(timer::idle, 20ms, f.owner);
  f.timers.arm(timer::idle, 60ms, f.owner);
  f.run();
  REQUIRE(f.fired == std::vector<timer>{timer::idle});
  CHECK(f.at[0] - begin >= 60ms);
  CHECK_FALSE(f.timers.left(timer::idle));
}

TEST_CASE("a timer re-armed to an earlier deadline fires at the earlier one", "[daemon][task_timers]") {
  fixture f;
  f.timers.arm(timer::timeout, 1h, f.owner);
  f.timers.arm(timer::timeout, 5ms, f.owner);
  f.run();  // with the hour's wait still in flight this would not return for a minute
  CHECK(f.fired == std::vector<timer>{timer::timeout});
  CHECK(f.io.stopped());
}

TEST_CASE("a cancelled timer fires nothing and says it is not armed", "[daemon][task_timers]") {
  fixture f;
  f.timers.arm(timer::first_item, 5ms, f.owner);
  f.timers.arm(timer::status_poll, 5ms, f.owner);
  f.timers.cancel(timer::first_item);
  CHECK_FALSE(f.timers.left(timer::first_item));
  f.run();
  CHECK(f.fired == std::vector<timer>{timer::status_poll});
}

TEST_CASE("cancel_all stops every wait", "[daemon][task_timers]") {
  fixture f;
  for (auto t : {timer::status_poll, timer::flush, timer::timeout, timer::idle, timer::progress, timer::first_item})
    f.timers.arm(t, 1h, f.owner);
  f.timers.cancel_all();
  f.run();
  CHECK(f.fired.empty());
  CHECK(f.io.stopped());
}

TEST_CASE("left says how long an armed timer has", "[daemon][task_timers]") {
  fixture f;
  CHECK_FALSE(f.timers.left(timer::progress));
  f.timers.arm(timer::progress, 10min, f.owner);
  auto left = f.timers.left(timer::progress);
  REQUIRE(left);
  CHECK(*left <= 10min);
  CHECK(*left > 9min);
  f.timers.cancel_all();
}

TEST_CASE("a wait keeps its owner alive until it ends", "[daemon][task_timers]") {
  fixture f;
  std::weak_ptr<int> watched = f.owner;
  f.timers.arm(timer::flush, 5ms, std::exchange(f.owner, nullptr));
  CHECK_FALSE(watched.expired());
  f.run();
  CHECK(f.fired == std::vector<timer>{timer::flush});
  CHECK(watched.expired());
}
