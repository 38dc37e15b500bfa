#include "test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <map>

namespace multicad::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

struct test_server::state {
  explicit state(asio::io_context& ioc) : acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  std::deque<scripted_reply> script;
  std::function<scripted_reply(const recorded_request&)> handler = [](const recorded_request&) { return scripted_reply{}; };
  std::vector<recorded_request> requests;
  int connections = 0;
  bool stopped = false;
  std::map<int, tcp::socket*> open;  // by connection id, while its session runs

  scripted_reply next(const recorded_request& r) {
    if (script.empty()) return handler(r);
    auto reply = std::move(script.front());
    script.pop_front();
    return reply;
  }
};

namespace {

recorded_request record(const http::request<http::string_body>& req, int connection) {
  recorded_request r{std::string(req.method_string()), std::string(req.target()), req.body(), {}, connection};
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(field.value());
  }
  return r;
}

std::string raw_truncated(const scripted_reply& reply) {
  return "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: " + reply.content_type +
         "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body.substr(0, reply.body.size() / 2);
}

// Serves requests on one connection until the script closes it or the client goes.
template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<test_server::state> s, Stream& stream, int id) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
    if (ec || s->stopped) co_return;
    s->requests.push_back(record(req, id));
    auto reply = s->next(s->requests.back());
    if (reply.delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, reply.delay);
      co_await timer.async_wait(use_tuple);
    }
    if (reply.failure == scripted_reply::fault::drop_request) co_return;
    if (reply.failure == scripted_reply::fault::truncate_body) {
      co_await asio::async_write(stream, asio::buffer(raw_truncated(reply)), use_tuple);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
    res.set(http::field::content_type, reply.content_type);
    res.body() = reply.body + (reply.echo_authorization ? std::string(req[http::field::authorization]) : "");
    res.keep_alive(reply.keep_alive);
    if (reply.chunked) res.chunked(true); else res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !reply.keep_alive || reply.close_after) co_return;
  }
}

asio::awaitable<void> session(std::shared_ptr<test_server::state> s, tcp::socket socket, int id) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // as Go's server does; else TLS tickets meet delayed ACKs
  if (!s->tls) {
    beast::tcp_stream stream(std::move(socket));
    s->open[id] = &stream.socket();
    co_await serve(s, stream, id);
    s->open.erase(id);
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  ssl::stream<tcp::socket> stream(std::move(socket), *s->tls);
  s->open[id] = &stream.next_layer();
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (!ec) co_await serve(s, stream, id);
  s->open.erase(id);
  stream.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<test_server::state> s) {
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(use_tuple);
    if (ec || s->stopped) co_return;
    int id = ++s->connections;
    asio::co_spawn(s->acceptor.get_executor(), session(s, std::move(socket), id), asio::detached);
  }
}

}  // namespace

test_server::test_server(asio::io_context& ioc, std::optional<tls_identity> tls) : state_(std::make_shared<state>(ioc)) {
  if (tls) {
    auto& ctx = state_->tls.emplace(ssl::context::tls_server);
    ctx.use_certificate_chain(asio::buffer(tls->cert_pem));
    ctx.use_private_key(asio::buffer(tls->key_pem), ssl::context::pem);
  }
  asio::co_spawn(ioc, accept_loop(state_), asio::detached);
}

test_server::~test_server() {
  state_->stopped = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
}

std::string test_server::base_url() const {
  return std::string(state_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

unsigned short test_server::port() const { return state_->acceptor.local_endpoint().port(); }

void test_server::script(scripted_reply r) { state_->script.push_back(std::move(r)); }

void test_server::script(int status, std::string body) {
  scripted_reply r;
  r.status = status;
  r.body = std::move(body);
  script(std::move(r));
}

void test_server::on_request(std::function<scripted_reply(const recorded_request&)> handler) {
  state_->handler = std::move(handler);
}

const std::vector<recorded_request>& test_server::requests() const { return state_->requests; }

int test_server::connections() const { return state_->connections; }

void test_server::close_connections() {
  beast::error_code ignored;
  for (auto& [id, socket] : state_->open) socket->shutdown(tcp::socket::shutdown_both, ignored);
}

unsigned short closed_port() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

}  // namespace multicad::test
