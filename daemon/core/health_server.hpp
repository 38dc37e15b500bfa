// The daemon's local HTTP endpoint on 127.0.0.1:<health_port>: /health (the
// JSON the Multica CLI and desktop app read, spec/server-api.md §11), and
// whatever else the daemon routes (status, metrics, the local wake-up).
// Binding it first makes it the single-instance lock of the port. Every
// connection has a time limit and a size limit and answers once, then
// closes; a Host that does not name loopback is answered 421 before any
// route sees the request (local_request.hpp). The same server, bound to
// another address, carries metrics.listen, where that Host check does not
// apply (scrapers name the address they reach) and the route serves only
// /metrics.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

#include "daemon/core/local_request.hpp"

namespace multicad::core {

class health_server {
 public:
  // The route runs on the io_context, one coroutine per request.
  using router = std::function<boost::asio::awaitable<local_answer>(local_request)>;

  // Binds 127.0.0.1:port. Fails when the port is taken ("another daemon is
  // already running on 127.0.0.1:19514 ...") or cannot be bound.
  static std::unique_ptr<health_server> bind(boost::asio::io_context& io, int port, std::string& error);
  // Binds address:port (an IP literal) for a route meant for other machines:
  // no loopback Host check. Fails with the system's reason.
  static std::unique_ptr<health_server> bind(boost::asio::io_context& io, const std::string& address, int port,
                                             std::string& error);
  ~health_server();

  // Serves until stop(). Requires: called once.
  void start(router r);
  void stop();
  int port() const;

 private:
  struct impl;
  explicit health_server(std::unique_ptr<impl> i);
  std::shared_ptr<impl> impl_;  // shared with the connections in flight
};

}  // namespace multicad::core
