// One HTTP/1.1 connection to the server, plain TCP or TLS, carrying one
// request at a time; the pool keeps it between requests while the server
// allows keep-alive. Beast and OpenSSL stay inside connection.cpp so that
// only it pays their compile time. Internal to daemon/net.
// Thread rule: use on one executor; one operation at a time.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/net/origin.hpp"

namespace multicad::net {

// The TLS settings shared by a client's connections: the system CA store plus
// an optional extra CA file, peer verification on. TLS 1.2 at least.
class tls_context {
 public:
  // Fails with the reason when the system store or ca_file cannot be loaded.
  static boost::system::result<std::shared_ptr<tls_context>, std::string> make(const std::string& ca_file);
  ~tls_context();

  struct impl;
  std::unique_ptr<impl> impl_;
};

struct wire_request {
  std::string method;  // "GET", "POST", "PUT", "PATCH" or "DELETE"
  std::string target;  // path prefix + endpoint path
  std::string body;    // sent for every method but GET
  std::string host_header;
  std::string authorization;  // "Bearer …"; never copied into any error text
  std::string user_agent;
  std::string content_type = "application/json";  // of the body
  std::vector<std::pair<std::string, std::string>> headers;  // more request headers (forwarded calls)
};

struct wire_response {
  int status = 0;
  std::string body;  // for status >= 400, at most the first 4096 bytes
  bool keep_alive = false;
  std::string content_type;
  // Response headers a forwarded call passes on (X-Total-Count, X-Multica-*), names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Why an open or exchange failed, and how far it got (for retry decisions).
struct io_failure {
  std::string what;               // "connect to 127.0.0.1:8080: Connection refused"
  bool nothing_received = false;  // no byte of a response arrived
};

class connection {
 public:
  struct passkey {};  // constructible only through open()
  explicit connection(passkey);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Resolves, connects and, for https, handshakes with SNI and host-name
  // verification. `tls` must be non-null for https and outlive the connection.
  static boost::asio::awaitable<boost::system::result<std::unique_ptr<connection>, io_failure>> open(origin o,
                                                                                                     tls_context* tls);

  // Writes `r` and reads the whole response (body at most 8 MiB). After a
  // failure the connection is unusable.
  boost::asio::awaitable<boost::system::result<wire_response, io_failure>> exchange(const wire_request& r);

  // True when an idle connection must not be reused: the server closed it,
  // or sent bytes nobody asked for (a TLS close_notify, say). Never blocks.
  bool peer_closed() const;

  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace multicad::net
