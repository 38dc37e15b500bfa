#include "daemon/core/health_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace multicad::core {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// A client that does not finish its request in this time is dropped.
constexpr auto request_time_limit = std::chrono::seconds(5);
// /health requests are tiny; anything larger is not for us.
constexpr std::size_t request_size_limit = 16 * 1024;
}  // namespace

struct health_server::impl {
  explicit impl(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  router route;
  bool stopped = false;

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(request_size_limit);
    stream.expires_after(request_time_limit);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) co_return;
    const auto& req = parser.get();
    auto answer = route(std::string_view(req.method_string().data(), req.method_string().size()),
                        std::string_view(req.target().data(), req.target().size()));
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    res.set(http::field::content_type, answer.content_type);
    res.set(http::field::server, "multicad");
    res.keep_alive(false);
    res.body() = std::move(answer.body);
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
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }
};

health_server::health_server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
health_server::~health_server() = default;

std::unique_ptr<health_server> health_server::bind(asio::io_context& io, int port, std::string& error) {
  auto i = std::make_unique<impl>(io);
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

void health_server::start(router r) {
  impl_->route = std::move(r);
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
}

void health_server::stop() {
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace multicad::core
