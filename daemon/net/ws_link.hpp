// One daemon WebSocket connection to the server (agent-toolbox.md §11.1):
// Beast's websocket over the HTTP client's TCP or TLS stack (the same CA
// store, SNI and host-name checks). Bounded: a message over max_message is
// refused by Beast (close 1009) and fails read(); the handshake has its own
// deadline; with no frame, ping or pong for idle_timeout the link fails
// (Beast pings at half that, and answers the server's pings itself).
// Beast stays inside ws_link.cpp. What the messages mean is proto's
// (proto/server/push.hpp) and the daemon's (core/server_worker_push.cpp).
// Thread rule: one executor; one read() at a time; send() any time.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/net/connection.hpp"
#include "daemon/net/origin.hpp"

namespace multicad::net {

struct ws_options {
  origin where;
  std::string target;         // path and query, e.g. /api/daemon/ws?runtime_ids=a,b
  std::string authorization;  // "Bearer …"; never copied into an error
  std::string user_agent;
  std::vector<std::pair<std::string, std::string>> headers;  // X-Client-Platform, …
  std::chrono::milliseconds handshake_timeout{10'000};  // resolve, connect, TLS and upgrade together
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t max_message = 64 * 1024 * 1024;
};

struct ws_failure {
  std::string what;  // "upgrade refused with 503: daemon websocket unavailable", "message too big"
  int status = 0;    // the HTTP status of a refused upgrade, else 0
};

class ws_link {
 public:
  struct passkey {};  // constructible only through connect()
  explicit ws_link(passkey);
  ~ws_link();  // closes the socket; a write in flight ends on its own
  ws_link(const ws_link&) = delete;
  ws_link& operator=(const ws_link&) = delete;

  // Connects and upgrades. `tls` must be non-null for wss and outlive the link.
  static boost::asio::awaitable<boost::system::result<std::unique_ptr<ws_link>, ws_failure>> connect(ws_options o,
                                                                                                     tls_context* tls);

  // The next message's payload (text, or binary passed on as bytes for the
  // codec to refuse). Fails when the server closes, the link times out, a
  // frame breaks the protocol or a message is too big; the link is then dead.
  boost::asio::awaitable<boost::system::result<std::string, ws_failure>> read();

  // Queues `text` as one text message; messages go out in order. Dropped
  // once the link has failed (read() says so).
  void send(std::string text);

  // Bytes received since connect (frames' payloads; for the load figures).
  std::uint64_t bytes_in() const;
  std::uint64_t bytes_out() const;

  // Fails a read() in flight and every later call.
  void close();
  bool is_open() const;  // false once closed or failed

  struct impl;  // ws_link.cpp's; named here so its helpers can take it

 private:
  std::shared_ptr<impl> impl_;  // shared with the writer, which may outlive the link briefly
};

}  // namespace multicad::net
