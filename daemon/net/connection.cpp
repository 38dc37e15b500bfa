// DESIGN: a connection owns either a beast::tcp_stream or a
// beast::ssl_stream over one (beast's ssl_stream coalesces the header and
// body buffers into one TLS record). Every operation completes through
// as_tuple, so failures are values; cancellation arrives through the
// coroutine's cancellation slot (the transport's timeout and the caller's
// shutdown) and surfaces as operation_aborted. There are no timeouts here:
// the whole attempt is raced against one timer in transport.cpp.
#include "daemon/net/connection.hpp"

#include "daemon/net/name_lookup.hpp"
#include "daemon/net/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/socket.h>

#include <optional>

namespace multicad::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
using tls_detail::handshake_error;
using tls_detail::prepare_handshake;

// The biggest body we accept. The largest legitimate answers are a claimed
// task with its skills and files, and a pending list; 8 MiB is far above
// those, and a bigger body is a misbehaving server or proxy, not data.
constexpr std::size_t max_response_body = 8 * 1024 * 1024;
// The reference client reads at most 4096 bytes of an error body (spec §1.2).
constexpr std::size_t max_error_body = 4096;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

io_failure failure(std::string what, bool nothing_received = true) { return io_failure{std::move(what), nothing_received}; }

std::string read_error(const error_code& ec) {
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == ssl::error::stream_truncated)
    return "connection closed by the server before a response";
  if (ec == http::error::partial_message) return "connection closed in the middle of the response (truncated body)";
  if (ec == http::error::body_limit) return "response body larger than " + std::to_string(max_response_body) + " bytes";
  return ec.message();
}

}  // namespace

// ---- tls_context

tls_context::~tls_context() = default;

boost::system::result<std::shared_ptr<tls_context>, std::string> tls_context::make(const std::string& ca_file) {
  auto t = std::make_shared<tls_context>();
  t->impl_ = std::make_unique<impl>();
  auto& ctx = t->impl_->ctx;
  error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                  ec);
  ctx.set_verify_mode(ssl::verify_peer, ec);
  if (ctx.set_default_verify_paths(ec); ec) return "cannot load the system CA store: " + ec.message();
  if (!ca_file.empty()) {
    if (ctx.load_verify_file(ca_file, ec); ec) return "cannot load CA file " + ca_file + ": " + ec.message();
  }
  return t;
}

// ---- connection

struct connection::impl {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  tcp::socket& socket() { return tls ? beast::get_lowest_layer(*tls).socket() : plain->socket(); }
  const tcp::socket& socket() const { return const_cast<impl*>(this)->socket(); }
};

connection::connection(passkey) : impl_(std::make_unique<impl>()) {}
connection::~connection() = default;

asio::awaitable<boost::system::result<std::unique_ptr<connection>, io_failure>> connection::open(origin o,
                                                                                                  tls_context* tls) {
  auto ex = co_await asio::this_coro::executor;
  auto c = std::make_unique<connection>(passkey{});
  auto& s = *c->impl_;
  const std::string where = o.host + ":" + o.port;

  auto found = co_await look_up(o.host, o.port);
  if (!found.error.empty()) co_return failure("resolve " + o.host + ": " + found.error);

  if (o.tls) s.tls.emplace(ex, tls->impl_->ctx); else s.plain.emplace(ex);
  auto& lowest = s.tls ? beast::get_lowest_layer(*s.tls) : *s.plain;
  auto [cec, ep] = co_await lowest.async_connect(found.endpoints, use_tuple);
  if (cec) co_return failure("connect to " + where + ": " + cec.message());
  // Requests are written whole; waiting for an ACK before the next segment only adds latency.
  error_code ignored;
  lowest.socket().set_option(tcp::no_delay(true), ignored);

  if (s.tls) {
    prepare_handshake(*s.tls, o.host);
    auto [hec] = co_await s.tls->async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) co_return failure("TLS handshake with " + where + ": " + handshake_error(hec, s.tls->native_handle()));
  }
  co_return c;
}

asio::awaitable<boost::system::result<wire_response, io_failure>> connection::exchange(const wire_request& r) {
  auto& s = *impl_;
  http::request<http::string_body> req{http::string_to_verb(r.method), r.target, 11};
  req.set(http::field::host, r.host_header);
  req.set(http::field::authorization, r.authorization);
  req.set(http::field::user_agent, r.user_agent);
  req.set(http::field::accept, "application/json");
  for (const auto& [k, v] : r.headers) req.set(k, v);
  if (req.method() != http::verb::get) {
    req.set(http::field::content_type, r.content_type);
    req.body() = r.body;
  }
  req.keep_alive(true);
  req.prepare_payload();

  http::response_parser<http::string_body> parser;
  parser.body_limit(max_response_body);
  error_code ec;
  if (s.tls) {
    std::tie(ec, std::ignore) = co_await http::async_write(*s.tls, req, use_tuple);
    if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(*s.tls, s.buffer, parser, use_tuple);
  } else {
    std::tie(ec, std::ignore) = co_await http::async_write(*s.plain, req, use_tuple);
    if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(*s.plain, s.buffer, parser, use_tuple);
  }
  if (ec) co_return failure(read_error(ec), !parser.got_some() && s.buffer.size() == 0);

  auto res = parser.release();
  wire_response out{static_cast<int>(res.result_int()), std::move(res.body()), res.keep_alive(),
                    std::string(res[http::field::content_type]), {}};
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "x-total-count" || name.starts_with("x-multica-")) out.headers.emplace_back(name, std::string(f.value()));
  }
  if (out.status >= 400 && out.body.size() > max_error_body) out.body.resize(max_error_body);
  co_return out;
}

bool connection::peer_closed() const {
  const auto& sock = impl_->socket();
  if (!sock.is_open() || impl_->buffer.size() != 0) return true;
  // A non-blocking peek: EAGAIN means open and quiet; 0 means the server sent
  // FIN; any byte is unsolicited (a TLS alert, say). All but EAGAIN: discard.
  char byte;
  auto n = ::recv(const_cast<tcp::socket&>(sock).native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void connection::close() {
  error_code ignored;
  impl_->socket().close(ignored);
}

}  // namespace multicad::net
