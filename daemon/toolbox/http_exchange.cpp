// DESIGN: a private io_context per exchange, run until the exchange ends or
// the deadline passes; then everything is destroyed, which closes the
// socket. Names are looked up on a detached thread (getaddrinfo cannot be
// interrupted), so a hanging resolver costs the deadline, not the process.
// The command sends one request per connection, as it sends few.
#include "daemon/toolbox/http_exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

namespace multicad::toolbox {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using proto::toolbox::http_request;
using proto::toolbox::http_response;
using clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string lowered(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] + 32);
  return s;
}

struct lookup_result {
  std::vector<tcp::endpoint> endpoints;
  std::string error;
  bool timed_out = false;
};

lookup_result look_up(const std::string& host, const std::string& port, clock::time_point deadline) {
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return {{tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port)))}, "", false};
  struct shared {
    std::mutex m;
    std::condition_variable cv;
    std::optional<lookup_result> result;
  };
  auto s = std::make_shared<shared>();
  std::thread([s, host, port] {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    lookup_result r;
    int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) {
      r.error = "dial tcp: lookup " + host + ": " + (rc == EAI_NONAME ? std::string("no such host") : lowered(::gai_strerror(rc)));
    } else {
      for (auto* a = list; a; a = a->ai_next) {
        tcp::endpoint ep;
        std::memcpy(ep.data(), a->ai_addr, a->ai_addrlen);
        r.endpoints.push_back(ep);
      }
      ::freeaddrinfo(list);
    }
    std::lock_guard lock(s->m);
    s->result = std::move(r);
    s->cv.notify_one();
  }).detach();
  std::unique_lock lock(s->m);
  if (!s->cv.wait_until(lock, deadline, [&] { return s->result.has_value(); })) return {{}, "", true};
  return *s->result;
}

std::string tls_error(const error_code& ec, SSL* ssl) {
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return std::string("tls: failed to verify certificate: x509: ") + X509_verify_cert_error_string(verify);
  return "tls: " + lowered(ec.message());
}

http::request<http::string_body> make_request(const http_request& r, const proto::toolbox::url_parts& u) {
  http::request<http::string_body> req{http::string_to_verb(r.method), u.target, 11};
  req.set(http::field::host, u.host_header);
  for (const auto& h : r.headers) req.set(h.name, h.value);
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT") {
    req.body() = r.body;
    req.set(http::field::content_length, std::to_string(r.body.size()));
  }
  return req;
}

// Writes the request and reads the answer into `out`.
template <class Stream>
asio::awaitable<void> talk(Stream& stream, const http_request& r, const proto::toolbox::url_parts& u, http_response& out) {
  auto req = make_request(r, u);
  auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
  if (wec) {
    out.error = "write: " + lowered(wec.message());
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(1 << 20);
  parser.body_limit(boost::none);
  auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
  if (hec) {
    out.error = (hec == http::error::end_of_stream || hec == asio::error::eof) ? "EOF" : lowered(hec.message());
    co_return;
  }
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  while (!parser.is_done()) {
    auto [bec, bn] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
    if (r.max_body_bytes && parser.get().body().size() >= r.max_body_bytes) break;
    if (bec) {
      bool cut = bec == http::error::partial_message || bec == http::error::end_of_stream || bec == asio::error::eof;
      out.body_error = cut ? "unexpected EOF" : lowered(bec.message());
      break;
    }
  }
  out.body = std::move(parser.get().body());
  if (r.max_body_bytes && out.body.size() > r.max_body_bytes) out.body.resize(r.max_body_bytes);
}

asio::awaitable<void> exchange(const http_request& r, const proto::toolbox::url_parts& u,
                               const std::vector<tcp::endpoint>& endpoints, ssl::context* tls, http_response& out) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream plain(ex);
  auto [cec, ep] = co_await plain.async_connect(endpoints, use_tuple);
  if (cec) {
    const auto& first = endpoints.front();
    std::string where = first.address().is_v6() ? "[" + first.address().to_string() + "]" : first.address().to_string();
    out.error = "dial tcp " + where + ":" + std::to_string(first.port()) + ": connect: " + lowered(cec.message());
    co_return;
  }
  if (!u.tls) {
    co_await talk(plain, r, u, out);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(plain), *tls);
  error_code not_ip;
  asio::ip::make_address(u.host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str());
  stream.set_verify_callback(ssl::host_name_verification(u.host));
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
  if (hec) {
    out.error = tls_error(hec, stream.native_handle());
    co_return;
  }
  co_await talk(stream, r, u, out);
}

}  // namespace

http_response perform(const http_request& r, clock::time_point command_deadline) {
  http_response out;
  auto parts = proto::toolbox::check_url(r.method, r.url).parts;
  if (!parts) {
    out.error = "invalid URL";  // the caller checks first; this is a broken invariant
    return out;
  }
  auto deadline = command_deadline;
  bool client_timeout = false;
  if (r.timeout_ms > 0 && clock::now() + std::chrono::milliseconds(r.timeout_ms) < deadline) {
    deadline = clock::now() + std::chrono::milliseconds(r.timeout_ms);
    client_timeout = true;
  }
  const std::string timeout_text = client_timeout
      ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
      : "context deadline exceeded";
  auto found = look_up(parts->host, parts->port, deadline);
  if (found.timed_out) return http_response{0, {}, "", timeout_text, ""};
  if (!found.error.empty()) return http_response{0, {}, "", found.error, ""};

  std::optional<ssl::context> tls;
  if (parts->tls) {
    tls.emplace(ssl::context::tls_client);
    error_code ec;
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1, ec);
    tls->set_verify_mode(ssl::verify_peer, ec);
    tls->set_default_verify_paths(ec);
  }
  asio::io_context ioc;
  bool finished = false;
  asio::co_spawn(ioc, exchange(r, *parts, found.endpoints, tls ? &*tls : nullptr, out),
                 [&](std::exception_ptr e) {
                   finished = true;
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     out.error = ex.what();
                   }
                 });
  ioc.run_until(deadline);
  if (!finished) {
    if (out.status != 0) {
      out.body_error = timeout_text;  // the headers came; the body did not finish in time
      return out;
    }
    return http_response{0, {}, "", timeout_text, ""};
  }
  return out;
}

}  // namespace multicad::toolbox
