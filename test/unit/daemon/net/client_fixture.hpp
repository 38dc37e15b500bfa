// Shared set-up of the server_client tests: an io_context, a scripted server
// on it, and clients with short timeouts and near-instant backoff, recording
// every attempt through on_request.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "daemon/net/server_client.hpp"
#include "test_server.hpp"

namespace multicad::test {

// A PAT-shaped token (spec §2.1); tests assert it never shows up in errors.
inline const std::string test_token = "mul_0123456789abcdef0123456789abcdef01234567";

inline net::retry_policy fast_retries(int attempts = 4) {
  return {attempts, std::chrono::milliseconds(1), std::chrono::milliseconds(4), 0.0};
}

struct client_fixture {
  boost::asio::io_context ioc;
  test_server server{ioc};
  std::vector<net::request_record> records;

  net::client_options options(net::retry_policy retries = fast_retries()) {
    net::client_options o;
    o.request_timeout = std::chrono::seconds(2);
    o.retries = retries;
    o.user_agent = "multicad-test/1";
    o.on_request = [this](const net::request_record& r) { records.push_back(r); };
    return o;
  }

  std::unique_ptr<net::server_client> make_client(net::client_options o) {
    return std::make_unique<net::server_client>(ioc.get_executor(), server.base_url(), test_token, std::move(o));
  }
  std::unique_ptr<net::server_client> make_client() { return make_client(options()); }

  template <class T>
  T run(boost::asio::awaitable<T> a) {
    return test::run(ioc, std::move(a));
  }
};

}  // namespace multicad::test
