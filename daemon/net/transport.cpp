// DESIGN: attempt() races run() (connect + exchange) against a timer with
// the awaitable `||`; the loser receives terminal cancellation and `||`
// returns once both have finished, so nothing outlives the attempt. Both
// branches are separate coroutine threads that never throw (as_tuple
// everywhere, throw_if_cancelled off), so the `||` always has a winner. A
// connection is owned by run()'s frame until it goes back to the pool, so a
// cancelled or timed-out exchange destroys (closes) its connection.
#include "daemon/net/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace multicad::net {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

// How far run() got; read by attempt() after a timeout.
struct transport::progress {
  bool connected = false;
};

namespace {

// Completes with true when the timer fires, false when cancelled first.
asio::awaitable<bool> expire(std::chrono::milliseconds after) {
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::steady_timer timer(co_await asio::this_coro::executor, after);
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

std::string format_duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

}  // namespace

transport::transport(origin o, std::shared_ptr<tls_context> tls, std::string tls_error)
    : origin_(std::move(o)), tls_(std::move(tls)), tls_error_(std::move(tls_error)) {}

asio::awaitable<attempt_result> transport::run(wire_request r, bool fresh, std::shared_ptr<progress> p) {
  co_await asio::this_coro::throw_if_cancelled(false);
  attempt_result out;
  try {
    std::unique_ptr<connection> conn = fresh ? nullptr : pool_.take();
    const bool reused = conn != nullptr;
    if (!conn) {
      if (origin_.tls && !tls_) co_return attempt_result{attempt_result::outcome::failed, {}, tls_error_};
      auto opened = co_await connection::open(origin_, tls_.get());
      if (!opened) co_return attempt_result{attempt_result::outcome::failed, {}, opened.error().what};
      conn = std::move(*opened);
    }
    p->connected = true;
    auto res = co_await conn->exchange(r);
    if (!res) {
      out.error = res.error().what;
      out.may_have_reached_server = true;
      out.stale = reused && res.error().nothing_received;
      co_return out;
    }
    if (res->keep_alive) pool_.give_back(std::move(conn));
    co_return attempt_result{attempt_result::outcome::response, std::move(*res), {}, true};
  } catch (const std::exception& e) {  // Beast or OpenSSL threw (allocation, say): a failed attempt
    out.error = e.what();
    out.may_have_reached_server = p->connected;
    co_return out;
  }
}

asio::awaitable<attempt_result> transport::attempt(wire_request r, std::chrono::milliseconds timeout, bool fresh) {
  auto p = std::make_shared<progress>();
  std::variant<attempt_result, bool> won;
  try {
    won = co_await (run(std::move(r), fresh, p) || expire(timeout));
  } catch (const std::exception& e) {  // not expected: neither branch throws
    co_return attempt_result{attempt_result::outcome::failed, {}, e.what(), p->connected};
  }
  auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
  if (auto* result = std::get_if<attempt_result>(&won)) {
    if (cancelled && result->kind != attempt_result::outcome::response) {
      result->kind = attempt_result::outcome::cancelled;
      result->error = "cancelled";
      result->stale = false;
    }
    co_return std::move(*result);
  }
  using outcome = attempt_result::outcome;
  if (!std::get<bool>(won) || cancelled) co_return attempt_result{outcome::cancelled, {}, "cancelled", p->connected};
  co_return attempt_result{outcome::timed_out, {}, "timed out after " + format_duration(timeout), p->connected};
}

}  // namespace multicad::net
