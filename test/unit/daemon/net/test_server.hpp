// An in-process HTTP/1.1 server on 127.0.0.1 (plain or TLS) for the client's
// tests. Replies come from a script (in order), then from a handler; each can
// delay, close the connection, truncate the body or drop the request. It
// records every request and counts connections. It runs on the test's
// io_context, so client and server share one thread and need no locks.
// Helpers below run a coroutine on that context with a time limit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace multicad::test {

struct scripted_reply {
  enum class fault {
    none,
    drop_request,   // read the request, then close without answering
    truncate_body,  // send Content-Length for the whole body but only half of it, then close
  };
  int status = 200;
  std::string body = R"({"status":"ok"})";
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};  // before answering
  bool keep_alive = true;              // false: "Connection: close", then close
  bool close_after = false;            // answer as keep-alive, then close anyway (a stale idle connection)
  fault failure = fault::none;
  bool echo_authorization = false;     // append the request's Authorization header to the body
  bool chunked = false;                // Transfer-Encoding: chunked, as Go uses for larger bodies
};

struct recorded_request {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  int connection = 0;                          // 1-based, in accept order
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class test_server {
 public:
  struct tls_identity {
    std::string cert_pem;
    std::string key_pem;
  };
  // Plain HTTP, or TLS with `tls`.
  explicit test_server(boost::asio::io_context& ioc, std::optional<tls_identity> tls = std::nullopt);
  ~test_server();

  std::string base_url() const;  // "http://127.0.0.1:<port>" or "https://…"
  unsigned short port() const;

  void script(scripted_reply r);  // used once, in order
  void script(int status, std::string body);
  void on_request(std::function<scripted_reply(const recorded_request&)> handler);  // after the script runs out

  const std::vector<recorded_request>& requests() const;
  int connections() const;  // accepted so far

  // Shuts down every open connection from the server side (a FIN, as a
  // server's idle timeout would send).
  void close_connections();

  struct state;  // shared with the server's coroutines (test_server.cpp)

 private:
  std::shared_ptr<state> state_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
unsigned short closed_port();

// Runs `a` on `ioc` until it completes or `limit` passes (then fails the test).
template <class T>
T run(boost::asio::io_context& ioc, boost::asio::awaitable<T> a, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(a), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) out.emplace(std::move(v));
    ioc.stop();
  });
  ioc.restart();
  ioc.run_for(limit);
  if (error) std::rethrow_exception(error);
  REQUIRE(out.has_value());
  return std::move(*out);
}

// Measures how long `run` took, in milliseconds.
struct stopwatch {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  long long ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  }
};

}  // namespace multicad::test
