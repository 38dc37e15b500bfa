// The typed endpoints: each builds its request eagerly (so reference
// arguments need not outlive the returned awaitable), sends it through the
// request loop, and decodes the 2xx body. Endpoints whose success body we do
// not use ignore it, so a TaskRecord or {"status":"ok"} never fails a call.
#include "daemon/net/server_client.hpp"

#include "daemon/net/client_impl.hpp"
#include "proto/server/codec.hpp"
#include "proto/server/push.hpp"

namespace multicad::net {

namespace asio = boost::asio;
namespace ps = proto::server;

server_client::impl::impl(asio::any_io_executor ex, std::string base_url, std::string token, client_options options)
    : ex_(std::move(ex)),
      base_url_(std::move(base_url)),
      token_(std::move(token)),
      options_(std::move(options)),
      origin_(parse_origin(base_url_)),
      rng_(std::random_device{}()) {
  if (!origin_) return;
  if (origin_->tls) {
    auto made = tls_context::make(options_.ca_file);
    if (made) tls_ = *made; else tls_error_ = made.error();
  }
  transport_ = std::make_unique<transport>(*origin_, tls_, tls_error_);
}

server_client::impl::request server_client::impl::get(std::string path, const retries& p) const {
  return {"GET", std::move(path), {}, p.value_or(options_.retries)};
}

// POST bodies are always a JSON object; "{}" when there is nothing to send (spec §1.2).
server_client::impl::request server_client::impl::post(std::string path, std::string body, const retries& p) const {
  return {"POST", std::move(path), body.empty() ? "{}" : std::move(body), p.value_or(options_.retries)};
}

template <class T>
asio::awaitable<api_result<T>> server_client::impl::decoded(request r, decoder<T> decode) {
  auto raw = co_await perform(r);
  if (!raw) co_return raw.error();
  auto value = decode(raw->body);
  if (!value) co_return make_error(r, failure_kind::decode, 0, value.error().message, raw->body, raw->attempts);
  co_return std::move(*value);
}

asio::awaitable<api_result<server_client::ok>> server_client::impl::unit(request r) {
  auto raw = co_await perform(std::move(r));
  if (!raw) co_return raw.error();
  co_return ok{};
}

server_client::server_client(asio::any_io_executor ex, std::string base_url, std::string token, client_options options)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(base_url), std::move(token), std::move(options))) {}

server_client::~server_client() = default;

const std::string& server_client::base_url() const { return impl_->base_url_; }

void server_client::close() {
  if (impl_->transport_) impl_->transport_->close_idle();
}

server_client::call<std::vector<ps::workspace>> server_client::list_workspaces(retries p) {
  return impl_->decoded(impl_->get(ps::paths::workspaces, p), &ps::decode_workspaces);
}

server_client::call<ps::register_response> server_client::register_runtimes(const ps::register_request& r, retries p) {
  return impl_->decoded(impl_->post(ps::paths::register_runtimes, ps::encode(r), p), &ps::decode_register);
}

server_client::call<server_client::ok> server_client::deregister(const ps::deregister_request& r, retries p) {
  return impl_->unit(impl_->post(ps::paths::deregister, ps::encode(r), p));
}

server_client::call<ps::heartbeat_response> server_client::heartbeat(const ps::heartbeat_request& r, retries p) {
  return impl_->decoded(impl_->post(ps::paths::heartbeat, ps::encode(r), p), &ps::decode_heartbeat);
}

server_client::call<ps::claim_response> server_client::claim(const std::string& runtime_id) {
  auto r = impl_->post(ps::paths::claim(runtime_id), "{}", std::nullopt);
  r.claim = true;
  return impl_->decoded(std::move(r), &ps::decode_claim);
}

server_client::call<ps::batch_claim_response> server_client::claim_batch(const ps::batch_claim_request& body) {
  auto r = impl_->post(ps::paths::batch_claim, ps::encode(body), std::nullopt);
  r.claim = true;
  r.timeout = batch_claim_timeout;
  return impl_->decoded(std::move(r), &ps::decode_batch_claim);
}

asio::awaitable<boost::system::result<std::unique_ptr<ws_link>, ws_failure>> server_client::open_push(
    std::vector<std::string> runtime_ids, std::vector<std::pair<std::string, std::string>> headers) {
  auto& i = *impl_;
  if (!i.origin_) co_return ws_failure{"invalid server URL: " + i.origin_.error()};
  if (i.origin_->tls && !i.tls_) co_return ws_failure{i.tls_error_};
  ws_options o;
  o.where = *i.origin_;
  o.target = ps::push::handshake_target(i.origin_->path_prefix, std::move(runtime_ids));
  o.authorization = "Bearer " + i.token_;
  o.user_agent = i.options_.user_agent;
  o.headers = std::move(headers);
  auto link = co_await ws_link::connect(std::move(o), i.tls_.get());
  if (!link) {
    auto e = link.error();
    for (auto pos = e.what.find(i.token_); !i.token_.empty() && pos != std::string::npos; pos = e.what.find(i.token_))
      e.what.replace(pos, i.token_.size(), "[redacted]");
    co_return e;
  }
  co_return std::move(*link);
}

server_client::call<std::vector<proto::task>> server_client::pending(const std::string& runtime_id, retries p) {
  return impl_->decoded(impl_->get(ps::paths::pending(runtime_id), p), &ps::decode_pending);
}

server_client::call<server_client::ok> server_client::start(const std::string& task_id, retries p) {
  return impl_->unit(impl_->post(ps::paths::start(task_id), "{}", p));
}

server_client::call<server_client::ok> server_client::progress(const std::string& task_id,
                                                               const ps::progress_request& r, retries p) {
  return impl_->unit(impl_->post(ps::paths::progress(task_id), ps::encode(r), p));
}

server_client::call<server_client::ok> server_client::messages(const std::string& task_id,
                                                               const ps::messages_request& r, retries p) {
  return impl_->unit(impl_->post(ps::paths::messages(task_id), ps::encode(r), p));
}

server_client::call<server_client::ok> server_client::usage(const std::string& task_id, const ps::usage_request& r,
                                                            retries p) {
  return impl_->unit(impl_->post(ps::paths::usage(task_id), ps::encode(r), p));
}

server_client::call<server_client::ok> server_client::complete(const std::string& task_id,
                                                               const ps::complete_request& r, retries p) {
  return impl_->unit(impl_->post(ps::paths::complete(task_id), ps::encode(r), p));
}

server_client::call<server_client::ok> server_client::fail(const std::string& task_id, const ps::fail_request& r,
                                                           retries p) {
  return impl_->unit(impl_->post(ps::paths::fail(task_id), ps::encode(r), p));
}

server_client::call<ps::status_response> server_client::status(const std::string& task_id, retries p) {
  return impl_->decoded(impl_->get(ps::paths::status(task_id), p), &ps::decode_status);
}

server_client::call<server_client::ok> server_client::ping_result(const std::string& runtime_id,
                                                                  const std::string& ping_id,
                                                                  const ps::ping_result_request& r, retries p) {
  return impl_->unit(impl_->post(ps::paths::ping_result(runtime_id, ping_id), ps::encode(r), p));
}

server_client::call<server_client::ok> server_client::update_result(const std::string& runtime_id,
                                                                    const std::string& update_id,
                                                                    const ps::update_result_request& r, retries p) {
  return impl_->unit(impl_->post(ps::paths::update_result(runtime_id, update_id), ps::encode(r), p));
}

server_client::call<ps::gc_check_response> server_client::gc_check(const std::string& issue_id, retries p) {
  return impl_->decoded(impl_->get(ps::paths::gc_check(issue_id), p), &ps::decode_gc_check);
}

server_client::call<server_client::ok> server_client::post_json(const std::string& path, std::string body, retries p) {
  return impl_->unit(impl_->post(path, std::move(body), p));
}

server_client::call<ps::workspace_repos_response> server_client::workspace_repos(const std::string& workspace_id,
                                                                               retries p) {
  return impl_->decoded(impl_->get(ps::paths::workspace_repos(workspace_id), p), &ps::decode_workspace_repos);
}

server_client::call<forward_response> server_client::forward(forward_request r) {
  return impl_->forward(std::move(r));
}

}  // namespace multicad::net
