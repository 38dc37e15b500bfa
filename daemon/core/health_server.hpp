// The daemon's local HTTP endpoint on 127.0.0.1:<health_port>: /health (the
// JSON the Multica CLI and desktop app read, spec/server-api.md §11), and
// whatever else the daemon routes (status, metrics). Binding it first makes
// it the single-instance lock. Requests are small GETs; every connection
// has a time limit and answers once, then closes.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace multicad::core {

struct http_answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class health_server {
 public:
  using router = std::function<http_answer(std::string_view method, std::string_view target)>;

  // Binds 127.0.0.1:port. Fails when the port is taken ("another daemon is
  // already running on 127.0.0.1:19514 ...") or cannot be bound.
  static std::unique_ptr<health_server> bind(boost::asio::io_context& io, int port, std::string& error);
  ~health_server();

  // Serves until stop(). Requires: called once.
  void start(router r);
  void stop();

 private:
  struct impl;
  explicit health_server(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace multicad::core
