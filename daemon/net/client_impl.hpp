// server_client's private state and its generic request loop, shared by
// request_loop.cpp (send, retry, errors) and server_client.cpp (the typed
// endpoints). Internal to daemon/net. Thread rule: the client's executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>
#include <random>
#include <string>

#include "daemon/net/origin.hpp"
#include "daemon/net/server_client.hpp"
#include "daemon/net/transport.hpp"
#include "proto/decode_error.hpp"

namespace multicad::net {

struct server_client::impl {
  impl(boost::asio::any_io_executor ex, std::string base_url, std::string token, client_options options);

  // One endpoint call before it goes on the wire. `path` is the endpoint path
  // (what errors and records show); the base URL's path prefix is added later.
  struct request {
    std::string method;
    std::string path;
    std::string body;
    retry_policy policy;
    bool claim = false;  // resend only when it cannot have reached the server
    std::optional<std::chrono::milliseconds> timeout;  // shorter than the client's, for this call
  };
  struct raw_response {
    std::string body;
    int attempts = 1;
  };

  request get(std::string path, const retries& p) const;
  request post(std::string path, std::string body, const retries& p) const;

  // Sends with retries and returns the 2xx body, or the final failure.
  // Runs on its own coroutine thread so that its cancellation settings stay
  // out of the caller's; the caller's cancellation still reaches it.
  boost::asio::awaitable<api_result<raw_response>> perform(request r);

  template <class T>
  using decoder = proto::decode_result<T> (*)(std::string_view);

  template <class T>
  boost::asio::awaitable<api_result<T>> decoded(request r, decoder<T> decode);
  boost::asio::awaitable<api_result<ok>> unit(request r);
  boost::asio::awaitable<api_result<forward_response>> forward(forward_request r);

  boost::asio::any_io_executor ex_;
  std::string base_url_;
  std::string token_;  // only ever copied into the Authorization header
  client_options options_;
  boost::system::result<origin, std::string> origin_;
  std::unique_ptr<transport> transport_;  // null when base_url does not parse
  std::shared_ptr<tls_context> tls_;      // https only; shared with the daemon WebSocket
  std::string tls_error_;                 // why tls_ is null for an https server
  std::mt19937_64 rng_;                   // backoff jitter

 private:
  boost::asio::awaitable<api_result<raw_response>> perform_thread(request r);
  boost::asio::awaitable<attempt_result> send(const wire_request& w, const request& r);
  boost::asio::awaitable<attempt_result> send_once(const wire_request& w, const request& r, bool fresh);
  api_error make_error(const request& r, failure_kind kind, int status, std::string message, std::string_view body,
                       int attempts) const;
  api_error to_error(const request& r, const attempt_result& a, int attempts) const;
};

}  // namespace multicad::net
