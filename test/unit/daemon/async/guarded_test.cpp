// daemon/async/guarded: no coroutine ends silently. A one-shot job's
// exception reaches its handler and the log; a loop that throws is logged
// and started again, and stays stopped once the daemon is stopping.
#include <catch2/catch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "daemon/async/guarded.hpp"
#include "daemon/log/log.hpp"
#include "test/support/temp_dir.hpp"

namespace asio = boost::asio;
using multicad::test::temp_dir;

namespace {

// Sends the process-wide log to a file for one test, and back to stderr after.
struct log_capture {
  temp_dir dir;
  log_capture() {
    multicad::config::log_settings s;
    s.file = dir / "log";
    REQUIRE(multicad::log::setup(s).empty());
  }
  ~log_capture() { multicad::log::setup({}); }
  std::string text() const {
    std::ifstream in(dir / "log");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
};

asio::awaitable<void> throws(std::string what) {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);  // really suspend first
  throw std::runtime_error(what);
}

asio::awaitable<void> succeeds(int* runs) {
  ++*runs;
  co_return;
}

}  // namespace

TEST_CASE("a guarded job's exception reaches its handler and the log at ERROR", "[daemon][async]") {
  log_capture log;
  asio::io_context io;
  std::string seen;
  multicad::async::spawn_guarded(io.get_executor(), "the start call", throws("server went away"),
                                 [&](const std::string& e) { seen = e; });
  io.run();
  CHECK(seen == "server went away");
  CHECK_THAT(log.text(), Catch::Contains("ERROR") && Catch::Contains("the start call failed") &&
                             Catch::Contains("server went away"));
}

TEST_CASE("a guarded job that succeeds calls no handler", "[daemon][async]") {
  asio::io_context io;
  int runs = 0;
  bool called = false;
  multicad::async::spawn_guarded(io.get_executor(), "x", succeeds(&runs), [&](const std::string&) { called = true; });
  io.run();
  CHECK(runs == 1);
  CHECK_FALSE(called);
}

TEST_CASE("a loop that throws is logged and started again until the daemon stops", "[daemon][async]") {
  log_capture log;
  asio::io_context io;
  int starts = 0;
  // Throws on its first two runs, then returns: a loop that returns is done.
  auto make = [&]() -> asio::awaitable<void> {
    ++starts;
    if (starts <= 2) return throws("boom " + std::to_string(starts));
    return succeeds(&starts);
  };
  multicad::async::spawn_loop(io.get_executor(), "heartbeat", make, [] { return false; }, std::chrono::milliseconds(0));
  io.run();
  CHECK(starts == 4);  // two failed runs, the third's make() and its body
  auto text = log.text();
  CHECK_THAT(text, Catch::Contains("heartbeat loop failed; restarting it") && Catch::Contains("boom 1") &&
                       Catch::Contains("boom 2"));
}

TEST_CASE("a loop that throws while the daemon stops is not started again", "[daemon][async]") {
  log_capture log;
  asio::io_context io;
  int starts = 0;
  auto make = [&]() -> asio::awaitable<void> {
    ++starts;
    return throws("late");
  };
  multicad::async::spawn_loop(io.get_executor(), "GC", make, [] { return true; }, std::chrono::milliseconds(0));
  io.run();
  CHECK(starts == 1);
  CHECK_THAT(log.text(), Catch::Contains("GC loop failed"));
}
