#include "daemon/async/guarded.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <memory>

#include "daemon/log/log.hpp"

namespace multicad::async {
namespace asio = boost::asio;

std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

void spawn_guarded(asio::any_io_executor ex, std::string what, asio::awaitable<void> work,
                   std::function<void(const std::string&)> on_error) {
  asio::co_spawn(ex, std::move(work), [what = std::move(what), on_error = std::move(on_error)](std::exception_ptr e) {
    if (!e) return;
    auto text = describe(e);
    log::error(what + " failed", {{"error", text}, {"hint", "a bug in multicad: please report it with this log"}});
    if (on_error) on_error(text);
  });
}

namespace {

struct loop_state {
  asio::any_io_executor ex;
  std::string name;
  std::function<asio::awaitable<void>()> make;
  std::function<bool()> stopping;
  std::chrono::milliseconds pause;
};

void start(std::shared_ptr<loop_state> s) {
  asio::co_spawn(s->ex, s->make(), [s](std::exception_ptr e) {
    if (!e) return;
    log::error(s->name + " loop failed; restarting it", {{"error", describe(e)},
               {"hint", "a bug in multicad: please report it with this log; the daemon carries on"}});
    if (s->stopping()) return;
    auto t = std::make_shared<asio::steady_timer>(s->ex, s->pause);
    t->async_wait([s, t](boost::system::error_code) {
      if (!s->stopping()) start(s);
    });
  });
}

}  // namespace

void spawn_loop(asio::any_io_executor ex, std::string name, std::function<asio::awaitable<void>()> make,
                std::function<bool()> stopping, std::chrono::milliseconds pause) {
  start(std::make_shared<loop_state>(loop_state{ex, std::move(name), std::move(make), std::move(stopping), pause}));
}

}  // namespace multicad::async
