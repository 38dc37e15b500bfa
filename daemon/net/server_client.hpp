// A typed client of the Multica server's daemon API (spec/server-api.md):
// one coroutine per endpoint over HTTP/1.1 keep-alive connections (TLS with
// the system CA store, peer and host-name verification), a Bearer token, a
// per-request timeout, and retries with capped, jittered exponential backoff
// for transport errors and 5xx (never for 4xx). Errors are values carrying
// method, path, status and the start of the body; the token never appears
// in them or in any log line.
// Thread rule: create and use on one executor (the daemon's io_context);
// calls may overlap (each takes a pooled connection). The client must outlive
// every call in flight.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/net/ws_link.hpp"
#include "proto/server/types.hpp"

namespace multicad::net {

enum class failure_kind {
  transport,    // could not connect, TLS failure, connection reset, truncated response
  timeout,      // no complete response within the per-request timeout
  http_status,  // the server answered with a status >= 400
  decode,       // a 2xx body that does not decode as the endpoint's type
  request,      // the request could not be built (a path that is not a valid request target); never sent
};

// What the server's answer means for the caller, read once from its status
// and exact message (spec §2.5, §6) where the error is made, so callers
// switch on a value and never search the text.
enum class server_answer {
  other,                // no answer, or one without a special meaning
  unauthorized,         // 401: the token is invalid or revoked
  workspace_not_found,  // 404 "workspace not found": gone, or no longer ours
  task_not_found,       // 404 "task not found"
  state_conflict,       // 400 "...: no rows in result set": the task is in another state
};
server_answer classify_answer(int status, std::string_view message);

struct api_error {
  failure_kind kind = failure_kind::transport;
  std::string method;     // "POST"
  std::string path;       // "/api/daemon/tasks/<id>/complete"
  int status = 0;         // HTTP status for http_status, else 0
  std::string message;    // the server's "error" text, or what went wrong
  std::string body_head;  // at most the first 512 bytes of the body
  int attempts = 1;       // how many times the request was sent
  server_answer answer = server_answer::other;
  // False only when the last attempt failed while connecting (refused,
  // unreachable, no address): the server cannot have acted on it. A claim
  // that may have reached it may have handed out a task (server_worker).
  bool may_have_reached_server = true;

  bool unauthorized() const { return answer == server_answer::unauthorized; }
  bool workspace_not_found() const { return answer == server_answer::workspace_not_found; }
  bool task_not_found() const { return answer == server_answer::task_not_found; }
  bool state_conflict() const { return answer == server_answer::state_conflict; }
  bool retryable() const;            // transport, timeout, 5xx, 408 or 429
  // "POST /api/daemon/tasks/x/start returned 400: start task: no rows in result set"
  std::string to_string() const;
};

[[noreturn]] void throw_exception_from_error(const api_error& e, const boost::source_location& loc);

template <class T>
using api_result = boost::system::result<T, api_error>;

struct retry_policy {
  int max_attempts = 4;  // 1 = no retry
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  double jitter = 0.2;  // each wait is scaled by a random factor in [1 - jitter, 1 + jitter]
  static retry_policy none() { return {1, {}, {}, 0}; }
};

// A request of the user API passed on for an agent (daemon/toolbox): sent
// once, as given, and whatever status comes back is the answer.
struct forward_request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query, e.g. "/api/issues?workspace_id=…"
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // X-Workspace-ID, X-Agent-ID, X-Task-ID
  std::string token;  // the bearer token to use instead of the client's own (a task token); empty: the client's
};

struct forward_response {
  int status = 0;
  std::string content_type;
  std::string body;  // for status >= 400, at most the first 4096 bytes
  std::vector<std::pair<std::string, std::string>> headers;  // X-Total-Count, X-Multica-*
};

// What every finished request reports, for metrics and debug logs.
struct request_record {
  std::string method, path;
  int status = 0;  // 0 when no response
  std::chrono::milliseconds latency{0};
  bool ok = false;
};

struct client_options {
  std::chrono::milliseconds request_timeout{30'000};
  retry_policy retries;
  std::string ca_file;  // extra CA bundle (tests, private CAs); system store otherwise
  std::string user_agent = "multicad";
  std::function<void(const request_record&)> on_request;  // optional
};

class server_client {
 public:
  // Requires: base_url is normalised (config::normalize_server_url).
  server_client(boost::asio::any_io_executor ex, std::string base_url, std::string token, client_options options);
  ~server_client();
  server_client(const server_client&) = delete;
  server_client& operator=(const server_client&) = delete;

  const std::string& base_url() const;

  template <class T>
  using call = boost::asio::awaitable<api_result<T>>;
  struct ok {};  // endpoints whose success body carries nothing we use

  // Every call takes an optional retry policy that replaces the client's for
  // that call (the durable outbox retries on its own and passes none()).
  using retries = std::optional<retry_policy>;

  call<std::vector<proto::server::workspace>> list_workspaces(retries p = {});
  call<proto::server::register_response> register_runtimes(const proto::server::register_request& r, retries p = {});
  call<ok> deregister(const proto::server::deregister_request& r, retries p = {});
  call<proto::server::heartbeat_response> heartbeat(const proto::server::heartbeat_request& r, retries p = {});
  // Retried only when the request cannot have reached the server (connect
  // failed): a lost claim response strands a task, and a blind retry could
  // claim a second one. Later polls and pending() recover.
  call<proto::server::claim_response> claim(const std::string& runtime_id);
  // POST /api/daemon/tasks/claim (newer servers, agent-toolbox.md §11.1):
  // up to max_tasks tasks for all runtimes in one call, within
  // batch_claim_timeout. Sent once like claim(); a 404 (http_status) means
  // the server predates it: use claim() per runtime.
  call<proto::server::batch_claim_response> claim_batch(const proto::server::batch_claim_request& body);
  static constexpr std::chrono::milliseconds batch_claim_timeout{5'000};
  // Opens the daemon WebSocket (GET /api/daemon/ws) for `runtime_ids` with
  // the client's server, TLS settings and token; `headers` are the
  // X-Client-* handshake headers. A failure never contains the token.
  boost::asio::awaitable<boost::system::result<std::unique_ptr<ws_link>, ws_failure>> open_push(
      std::vector<std::string> runtime_ids, std::vector<std::pair<std::string, std::string>> headers);
  call<std::vector<proto::task>> pending(const std::string& runtime_id, retries p = {});
  call<ok> start(const std::string& task_id, retries p = {});
  call<ok> progress(const std::string& task_id, const proto::server::progress_request& r, retries p = {});
  call<ok> messages(const std::string& task_id, const proto::server::messages_request& r, retries p = {});
  call<ok> usage(const std::string& task_id, const proto::server::usage_request& r, retries p = {});
  call<ok> complete(const std::string& task_id, const proto::server::complete_request& r, retries p = {});
  call<ok> fail(const std::string& task_id, const proto::server::fail_request& r, retries p = {});
  call<proto::server::status_response> status(const std::string& task_id, retries p = {});
  call<ok> ping_result(const std::string& runtime_id, const std::string& ping_id,
                       const proto::server::ping_result_request& r, retries p = {});
  call<ok> update_result(const std::string& runtime_id, const std::string& update_id,
                         const proto::server::update_result_request& r, retries p = {});
  call<proto::server::gc_check_response> gc_check(const std::string& issue_id, retries p = {});
  // POSTs an already encoded JSON body (the outbox stores request bodies as
  // sent); 2xx is success and the answer's body is not decoded.
  call<ok> post_json(const std::string& path, std::string body, retries p = {});
  // GET /api/daemon/workspaces/{id}/repos (spec §4.3): the workspace's repository list.
  call<proto::server::workspace_repos_response> workspace_repos(const std::string& workspace_id, retries p = {});
  // Sends `r` once (no retry: the caller's client retries if it wants) and
  // returns any HTTP answer; only a transport failure or timeout is an error.
  call<forward_response> forward(forward_request r);

  // Closes idle connections; in-flight calls finish or fail.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace multicad::net
