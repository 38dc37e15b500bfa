// DESIGN: the link owns a Beast websocket over either a tcp_stream or an
// ssl_stream of one; with() hands whichever exists to a generic operation.
// connect() races resolve + connect + TLS + upgrade against one timer with
// the awaitable `||` (as transport.cpp does for requests); afterwards
// Beast's own timeout option watches the open link (idle_timeout, with
// keep-alive pings), and the tcp_stream's timer is off as Beast requires.
// Writes are queued and sent by one writer coroutine at a time; it holds
// the impl by shared_ptr, so destroying the link (which closes the socket)
// while a write is in flight is safe. Every operation completes through
// as_tuple: failures are values.
#include "daemon/net/ws_link.hpp"

#include "daemon/net/name_lookup.hpp"
#include "daemon/net/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <optional>

namespace multicad::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A refused upgrade's body is quoted in the failure, this much of it.
constexpr std::size_t refusal_quote = 200;

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

asio::awaitable<bool> expire(std::chrono::milliseconds after) {
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::steady_timer timer(co_await asio::this_coro::executor, after);
  auto [ec] = co_await timer.async_wait(use_tuple);
  co_return !ec;
}

std::string seconds_text(std::chrono::milliseconds d) { return std::to_string(d.count() / 1000) + "s"; }

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() > refusal_quote) s.resize(refusal_quote);
  return s;
}

}  // namespace

struct ws_link::impl {
  asio::any_io_executor ex;
  std::optional<plain_ws> plain;
  std::optional<tls_ws> tls;
  beast::flat_buffer buffer;
  std::deque<std::string> queue;
  bool writing = false;
  bool dead = false;
  std::uint64_t in = 0, out = 0;
  std::chrono::milliseconds idle{60'000};
  std::size_t max_message = 0;

  template <class F>
  auto with(F& f) {
    return tls ? f(*tls) : f(*plain);
  }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : beast::get_lowest_layer(*plain); }

  std::string read_error(const error_code& ec) {
    if (ec == websocket::error::closed) {
      auto reason = tls ? tls->reason() : plain->reason();
      return "the server closed the WebSocket (code " + std::to_string(reason.code) +
             (reason.reason.empty() ? "" : ": " + std::string(reason.reason.c_str())) + ")";
    }
    if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow)
      return "a message larger than " + std::to_string(max_message >> 20) + " MiB; dropped the connection";
    if (ec == beast::error::timeout) return "no frame, ping or pong from the server for " + seconds_text(idle);
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return "the server dropped the connection";
    if (ec == asio::error::operation_aborted) return "closed";
    if (ec == websocket::condition::protocol_violation)
      return "the server broke the WebSocket protocol (" + ec.message() + ")";
    return ec.message();
  }
};

namespace {

// Resolve, connect, TLS, upgrade; ends with the failure or nothing.
template <class Stream>
asio::awaitable<std::optional<ws_failure>> upgrade(Stream& ws, const ws_options& o) {
  websocket::stream_base::timeout t{o.handshake_timeout, o.idle_timeout, true};
  ws.set_option(t);
  ws.read_message_max(o.max_message);
  ws.set_option(websocket::stream_base::decorator([o](websocket::request_type& req) {
    req.set(beast::http::field::authorization, o.authorization);
    req.set(beast::http::field::user_agent, o.user_agent);
    for (const auto& [k, v] : o.headers) req.set(k, v);
  }));
  websocket::response_type res;
  auto [ec] = co_await ws.async_handshake(res, o.where.host_header, o.target, use_tuple);
  if (!ec) co_return std::nullopt;
  if (ec == websocket::error::upgrade_declined) {
    const int status = static_cast<int>(res.result_int());
    co_return ws_failure{"upgrade refused with " + std::to_string(status) + ": " + trimmed(res.body()), status};
  }
  co_return ws_failure{"WebSocket upgrade: " + ec.message()};
}

asio::awaitable<std::optional<ws_failure>> establish(ws_link::impl& s, const ws_options& o, tls_context* tls) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const std::string where = o.where.host + ":" + o.where.port;
  auto found = co_await look_up(o.where.host, o.where.port);
  if (!found.error.empty()) co_return ws_failure{"resolve " + o.where.host + ": " + found.error};
  if (o.where.tls) s.tls.emplace(s.ex, tls->impl_->ctx); else s.plain.emplace(s.ex);
  auto& lowest = s.lowest();
  auto [cec, ep] = co_await lowest.async_connect(found.endpoints, use_tuple);
  if (cec) co_return ws_failure{"connect to " + where + ": " + cec.message()};
  error_code ignored;
  lowest.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (s.tls) {
    auto& stream = s.tls->next_layer();
    tls_detail::prepare_handshake(stream, o.where.host);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) co_return ws_failure{"TLS handshake with " + where + ": " + tls_detail::handshake_error(hec, stream.native_handle())};
  }
  lowest.expires_never();  // Beast's websocket timeouts from here on
  if (s.tls) co_return co_await upgrade(*s.tls, o);
  co_return co_await upgrade(*s.plain, o);
}

asio::awaitable<void> write_all(std::shared_ptr<ws_link::impl> s) {
  while (!s->queue.empty() && !s->dead) {
    std::string text = std::move(s->queue.front());
    s->queue.pop_front();
    auto op = [&](auto& ws) {
      ws.text(true);
      return ws.async_write(asio::buffer(text), use_tuple);
    };
    auto [ec, n] = co_await s->with(op);
    if (ec) {
      s->dead = true;
      break;
    }
    s->out += n;
  }
  s->queue.clear();
  s->writing = false;
}

}  // namespace

ws_link::ws_link(passkey) : impl_(std::make_shared<impl>()) {}

ws_link::~ws_link() { close(); }

asio::awaitable<boost::system::result<std::unique_ptr<ws_link>, ws_failure>> ws_link::connect(ws_options o,
                                                                                             tls_context* tls) {
  if (o.where.tls && !tls) co_return ws_failure{"no TLS context for a wss:// server"};
  auto link = std::make_unique<ws_link>(passkey{});
  auto& s = *link->impl_;
  s.ex = co_await asio::this_coro::executor;
  s.idle = o.idle_timeout;
  s.max_message = o.max_message;
  std::variant<std::optional<ws_failure>, bool> won;
  try {
    won = co_await (establish(s, o, tls) || expire(o.handshake_timeout));
  } catch (const std::exception& e) {  // Beast or OpenSSL threw (allocation, say)
    co_return ws_failure{e.what()};
  }
  if (auto* done = std::get_if<std::optional<ws_failure>>(&won)) {
    if (*done) co_return std::move(**done);
    co_return link;
  }
  if (!std::get<bool>(won)) co_return ws_failure{"cancelled"};
  co_return ws_failure{"no WebSocket upgrade within " + seconds_text(o.handshake_timeout)};
}

asio::awaitable<boost::system::result<std::string, ws_failure>> ws_link::read() {
  auto s = impl_;
  // Both sides of this result construct from a string: say which one is meant.
  using read_result = boost::system::result<std::string, ws_failure>;
  if (s->dead) co_return read_result(boost::system::in_place_error, ws_failure{"closed"});
  s->buffer.clear();
  auto op = [&](auto& ws) { return ws.async_read(s->buffer, use_tuple); };
  auto [ec, n] = co_await s->with(op);
  if (ec) {
    s->dead = true;
    co_return read_result(boost::system::in_place_error, ws_failure{s->read_error(ec)});
  }
  s->in += n;
  co_return read_result(boost::system::in_place_value, beast::buffers_to_string(s->buffer.data()));
}

void ws_link::send(std::string text) {
  auto& s = *impl_;
  if (s.dead) return;
  s.queue.push_back(std::move(text));
  if (s.writing) return;
  s.writing = true;
  asio::co_spawn(s.ex, write_all(impl_), [weak = std::weak_ptr<impl>(impl_)](std::exception_ptr e) {
    // write_all throws only if an allocation failed: the link is then dead.
    if (auto s = weak.lock(); s && e) {
      s->dead = true;
      s->writing = false;
    }
  });
}

std::uint64_t ws_link::bytes_in() const { return impl_->in; }
std::uint64_t ws_link::bytes_out() const { return impl_->out; }

bool ws_link::is_open() const { return !impl_->dead; }

void ws_link::close() {
  auto& s = *impl_;
  s.dead = true;
  if (!s.tls && !s.plain) return;
  error_code ignored;
  s.lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  s.lowest().socket().close(ignored);
}

}  // namespace multicad::net
