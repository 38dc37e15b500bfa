// DESIGN: one accept loop and one coroutine per connection. Connections
// hold the impl by shared_ptr, so stop() may close the acceptor while an
// answer is still being written. Each connection reads one request within
// request_time_limit (slow clients are dropped), routes it and closes.
#include "daemon/core/health_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// A client that does not finish its request in this time is dropped.
constexpr auto request_time_limit = std::chrono::seconds(5);
// Request headers are small; anything larger is not for us.
constexpr std::size_t header_size_limit = 16 * 1024;
// Bodies are small JSON documents.
constexpr std::size_t body_size_limit = 1024 * 1024;

local_request to_local(const http::request<http::string_body>& req) {
  local_request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.path = r.target.substr(0, r.target.find('?'));
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = req.body();
  return r;
}

std::string exception_text(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}
}  // namespace

struct health_server::impl : std::enable_shared_from_this<impl> {
  explicit impl(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  router route;
  int port = 0;
  bool loopback_only = true;  // answer 421 to a Host that is not loopback (DNS rebinding)
  bool stopped = false;

  asio::awaitable<local_answer> answer(local_request r) {
    if (loopback_only && !is_loopback_host(r.header("host"), port)) co_return misdirected_answer();
    co_return co_await route(std::move(r));
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    auto self = shared_from_this();  // the connection outlives stop()
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(header_size_limit);
    parser.body_limit(body_size_limit);
    stream.expires_after(request_time_limit);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) co_return;
    const auto& req = parser.get();
    auto a = co_await answer(to_local(req));
    http::response<http::string_body> res{static_cast<http::status>(a.status), req.version()};
    res.set(http::field::content_type, a.content_type);
    res.set(http::field::server, "multicad");
    for (const auto& [k, v] : a.headers) res.set(k, v);
    res.keep_alive(false);
    res.body() = std::move(a.body);
    res.prepare_payload();
    co_await http::async_write(stream, res, use_tuple);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> accept_loop() {
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) {
        if (stopped || ec == asio::error::operation_aborted) co_return;
        continue;  // e.g. EMFILE: try again with the next connection
      }
      // A route that throws loses its connection (the client sees it close), never the endpoint.
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), [](std::exception_ptr e) {
        if (e)
          log::error("local endpoint request failed unexpectedly",
                     {{"error", exception_text(e)}, {"hint", "this is a bug in multicad; please report it"}});
      });
    }
  }
};

health_server::health_server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
health_server::~health_server() = default;

std::unique_ptr<health_server> health_server::bind(asio::io_context& io, int port, std::string& error) {
  auto i = std::make_unique<impl>(io);
  i->port = port;
  tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), static_cast<unsigned short>(port));
  boost::system::error_code ec;
  i->acceptor.open(ep.protocol(), ec);
  // SO_REUSEADDR lets a restarted daemon bind past its predecessor's
  // TIME_WAIT connections; on Linux it still fails while another socket
  // listens on the port, which is the single-instance lock we want.
  if (!ec) i->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i->acceptor.bind(ep, ec);
  if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = ec == asio::error::address_in_use
                ? "another daemon is already running on 127.0.0.1:" + std::to_string(port) +
                      " (or another program holds the port); stop it, or set health_port (MULTICA_DAEMON_HEALTH_PORT)"
                : "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
    return nullptr;
  }
  return std::unique_ptr<health_server>(new health_server(std::move(i)));
}

std::unique_ptr<health_server> health_server::bind(asio::io_context& io, const std::string& address, int port,
                                                   std::string& error) {
  auto i = std::make_unique<impl>(io);
  i->port = port;
  i->loopback_only = false;
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  tcp::endpoint ep(ip, static_cast<unsigned short>(port));
  if (!ec) i->acceptor.open(ep.protocol(), ec);
  if (!ec) i->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i->acceptor.bind(ep, ec);
  if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + address + " port " + std::to_string(port) + ": " + ec.message();
    return nullptr;
  }
  return std::unique_ptr<health_server>(new health_server(std::move(i)));
}

void health_server::start(router r) {
  impl_->route = std::move(r);
  auto i = impl_;
  asio::co_spawn(impl_->acceptor.get_executor(), [i]() { return i->accept_loop(); }, [](std::exception_ptr e) {
    if (e)
      log::error("local endpoint stopped unexpectedly",
                 {{"error", exception_text(e)}, {"hint", "this is a bug in multicad; restart the daemon and report it"}});
  });
}

void health_server::stop() {
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

int health_server::port() const { return impl_->port; }

}  // namespace multicad::core
