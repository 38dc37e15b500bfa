// One attempt of one request: a pooled or new connection, the exchange, and
// the per-request timeout over all of it (resolve, connect, handshake, write,
// read). Retry policy lives above, in the client. Internal to daemon/net.
// Thread rule: the client's executor only; attempts may overlap.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "daemon/net/connection.hpp"
#include "daemon/net/connection_pool.hpp"
#include "daemon/net/origin.hpp"

namespace multicad::net {

struct attempt_result {
  enum class outcome { response, failed, timed_out, cancelled };
  outcome kind = outcome::failed;
  wire_response response;  // kind == response
  std::string error;       // otherwise: what went wrong
  // False only when the failure happened while connecting: the request
  // cannot have reached the server (the one case claim may resend).
  bool may_have_reached_server = false;
  // Failed on a reused connection before any response byte: the server had
  // closed it while idle, so the request is resent on a fresh connection.
  bool stale = false;
};

class transport {
 public:
  // `tls` may be null for http; for https a null `tls` fails every attempt
  // with `tls_error`.
  transport(origin o, std::shared_ptr<tls_context> tls, std::string tls_error);

  // Sends `r` once. `fresh` skips the pool (the resend after a stale one).
  // Honours the calling coroutine's cancellation (outcome::cancelled).
  boost::asio::awaitable<attempt_result> attempt(wire_request r, std::chrono::milliseconds timeout, bool fresh);

  void close_idle() { pool_.close_all(); }
  std::size_t idle_count() const { return pool_.idle_count(); }

 private:
  struct progress;
  boost::asio::awaitable<attempt_result> run(wire_request r, bool fresh, std::shared_ptr<progress> p);

  origin origin_;
  std::shared_ptr<tls_context> tls_;
  std::string tls_error_;
  connection_pool pool_;
};

}  // namespace multicad::net
