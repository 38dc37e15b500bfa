// DESIGN: every endpoint call runs perform_thread() on a coroutine thread of
// its own (co_spawn), because Asio keeps cancellation state and
// throw_if_cancelled per thread: setting them here must not change the
// caller's coroutine. co_spawn forwards the caller's cancellation (a `||`
// with a shutdown signal, or a bound slot) into that thread; any type of
// cancellation is passed on as terminal, which is what Beast and the
// awaitable `||` honour. The loop:
//   send (and resend once on a fresh connection if a reused one was stale)
//   -> 2xx: done; error: retry if the policy allows, after a jittered backoff
// A cancelled wait or attempt ends the loop at once with the last failure.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/net/client_impl.hpp"
#include "daemon/net/retry.hpp"
#include "proto/server/codec.hpp"

namespace multicad::net {

namespace asio = boost::asio;

namespace {

// api_error::body_head: enough of a body to recognise it in a log line.
constexpr std::size_t max_body_head = 512;

struct any_to_terminal {
  asio::cancellation_type_t operator()(asio::cancellation_type_t t) const {
    return t == asio::cancellation_type::none ? t : asio::cancellation_type::terminal;
  }
};

bool is_success(int status) { return status >= 200 && status < 300; }

std::string utf8_head(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// Belt and braces: the token is never put into an error on purpose, but a
// server or proxy could echo the Authorization header back in a body.
void redact(std::string& s, const std::string& token) {
  if (token.empty()) return;
  for (auto pos = s.find(token); pos != std::string::npos; pos = s.find(token, pos))
    s.replace(pos, token.size(), "[redacted]");
}

// Printable ASCII without spaces, starting with '/': anything else could
// split the request line or add a header. Paths are built from encoded
// segments (proto/server/paths.cpp); this is the last line of defence.
bool is_request_target(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (unsigned char c : path)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

}  // namespace

asio::awaitable<api_result<server_client::impl::raw_response>> server_client::impl::perform(request r) {
  co_return co_await asio::co_spawn(ex_, perform_thread(std::move(r)), asio::use_awaitable);
}

asio::awaitable<api_result<server_client::impl::raw_response>> server_client::impl::perform_thread(request r) {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation(), any_to_terminal{});
  co_await asio::this_coro::throw_if_cancelled(false);
  if (!transport_) co_return make_error(r, failure_kind::transport, 0, "invalid server URL: " + origin_.error(), {}, 0);
  if (!is_request_target(r.path))
    co_return make_error(r, failure_kind::request, 0, "the path is not a valid request target", {}, 0);

  const wire_request w{r.method, origin_->path_prefix + r.path, r.method == "POST" ? r.body : std::string(),
                       origin_->host_header, "Bearer " + token_, options_.user_agent};
  const int max_attempts = std::max(1, r.policy.max_attempts);
  asio::steady_timer backoff(ex_);
  for (int attempts = 1;; ++attempts) {
    auto a = co_await send(w, r);
    if (a.kind == attempt_result::outcome::response && is_success(a.response.status))
      co_return raw_response{std::move(a.response.body), attempts};
    auto e = to_error(r, a, attempts);
    const bool claim_blocked = r.claim && a.may_have_reached_server;  // see server_client::claim
    if (a.kind == attempt_result::outcome::cancelled || attempts >= max_attempts || !e.retryable() || claim_blocked)
      co_return e;
    backoff.expires_after(backoff_delay(r.policy, attempts - 1, rng_));
    auto [ec] = co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return e;
  }
}

// A reused connection the server had closed while it sat idle fails before
// any response byte; the resend on a fresh connection is keep-alive hygiene,
// not a retry, so it does not count as an attempt. Never for claim: the
// request may have been read before the close, and a second claim could
// strand a task (the pool's idle check before reuse makes this rare).
asio::awaitable<attempt_result> server_client::impl::send(const wire_request& w, const request& r) {
  auto a = co_await send_once(w, r, false);
  if (a.stale && !r.claim) a = co_await send_once(w, r, true);
  co_return a;
}

asio::awaitable<attempt_result> server_client::impl::send_once(const wire_request& w, const request& r, bool fresh) {
  const auto started = std::chrono::steady_clock::now();
  const auto timeout = r.timeout ? std::min(*r.timeout, options_.request_timeout) : options_.request_timeout;
  auto a = co_await transport_->attempt(w, timeout, fresh);
  if (options_.on_request) {
    const bool answered = a.kind == attempt_result::outcome::response;
    request_record rec{r.method, r.path, answered ? a.response.status : 0,
                       std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started),
                       answered && is_success(a.response.status)};
    try {
      options_.on_request(rec);
    } catch (...) {  // a metrics hook must not break the request
    }
  }
  co_return a;
}

api_error server_client::impl::make_error(const request& r, failure_kind kind, int status, std::string message,
                                          std::string_view body, int attempts) const {
  api_error e{kind, r.method, r.path, status, std::move(message), utf8_head(body, max_body_head), attempts};
  if (kind == failure_kind::http_status) e.answer = classify_answer(status, e.message);
  redact(e.message, token_);
  redact(e.body_head, token_);
  return e;
}

api_error server_client::impl::to_error(const request& r, const attempt_result& a, int attempts) const {
  using outcome = attempt_result::outcome;
  switch (a.kind) {
    case outcome::response: {
      const auto& body = a.response.body;
      return make_error(r, failure_kind::http_status, a.response.status, proto::server::decode_error_body(body).message,
                        body, attempts);
    }
    case outcome::timed_out: {
      auto e = make_error(r, failure_kind::timeout, 0, a.error, {}, attempts);
      e.may_have_reached_server = a.may_have_reached_server;
      return e;
    }
    case outcome::failed:
    case outcome::cancelled:
      break;
  }
  auto e = make_error(r, failure_kind::transport, 0, a.error, {}, attempts);
  e.may_have_reached_server = a.may_have_reached_server;
  return e;
}

// One attempt (with the stale-connection resend); every HTTP answer
// is the caller's to pass on, so only failing to get one is an error.
asio::awaitable<api_result<forward_response>> server_client::impl::forward(forward_request f) {
  request r{f.method, f.target, {}, retry_policy::none()};
  if (!transport_) co_return make_error(r, failure_kind::transport, 0, "invalid server URL: " + origin_.error(), {}, 0);
  if (!is_request_target(f.target))
    co_return make_error(r, failure_kind::request, 0, "the path is not a valid request target", {}, 0);
  wire_request w{f.method, origin_->path_prefix + f.target, f.method == "GET" ? std::string() : std::move(f.body),
                 origin_->host_header, "Bearer " + (f.token.empty() ? token_ : f.token), options_.user_agent,
                 f.content_type.empty() ? std::string("application/json") : f.content_type, std::move(f.headers)};
  auto a = co_await send(w, r);
  if (a.kind != attempt_result::outcome::response) co_return to_error(r, a, 1);
  co_return forward_response{a.response.status, std::move(a.response.content_type), std::move(a.response.body),
                             std::move(a.response.headers)};
}

}  // namespace multicad::net
