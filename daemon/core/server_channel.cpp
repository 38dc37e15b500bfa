#include "daemon/core/server_channel.hpp"

#include <chrono>

#include "daemon/log/log.hpp"
#include "proto/server/codec.hpp"

namespace multicad::core {
namespace asio = boost::asio;

namespace {
std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

remote_state remote_state_of(const net::api_result<proto::server::status_response>& r) {
  if (!r) return r.error().task_not_found() ? remote_state::gone : remote_state::unknown;
  if (r->status == "cancelled") return remote_state::cancelled;
  if (r->status == "failed" || r->status == "completed") return remote_state::failed_elsewhere;
  return remote_state::running;
}

server_channel::server_channel(net::server_client& client, store::database& db, std::function<void()> wake)
    : client_(client), db_(db), journal_(db), outbox_(db), wake_(std::move(wake)) {}

asio::awaitable<std::optional<start_failure>> server_channel::start(const std::string& task_id) {
  auto r = co_await client_.start(task_id);
  if (r) co_return std::nullopt;
  const auto& e = r.error();
  co_return start_failure{e.state_conflict() || e.task_not_found() ? start_failure::kind::refused
                                                                   : start_failure::kind::transient,
                          e.to_string()};
}

asio::awaitable<void> server_channel::progress(const std::string& task_id, const std::string& summary, int step,
                                               int total) {
  // Progress is a live hint only (nothing is stored server-side): one try.
  proto::server::progress_request body{summary, step, total};  // named: see server_worker_loops.cpp on GCC 12
  auto r = co_await client_.progress(task_id, body, net::retry_policy::none());
  if (!r) log::debug("progress not delivered", {{"task_id", task_id}, {"error", r.error().to_string()}});
}

asio::awaitable<remote_state> server_channel::poll(const std::string& task_id) {
  co_return remote_state_of(co_await client_.status(task_id, net::retry_policy::none()));
}

void server_channel::store_report(const std::string& task_id, const std::string& kind, const std::string& payload,
                                  bool final) {
  auto stored = db_.transaction([&]() -> store::result<void> {
    if (auto id = outbox_.enqueue(task_id, kind, payload, now_ms()); !id) return id.error();
    if (final) return journal_.remove(task_id);
    return {};
  });
  if (!stored)
    log::error("cannot store a task report; it will not survive a restart",
               {{"task_id", task_id}, {"kind", kind}, {"error", stored.error().to_string()},
                {"hint", "check free space and permissions of state_dir"}});
  if (wake_) wake_();
}

void server_channel::messages(const std::string& task_id, std::vector<proto::server::task_message> batch) {
  store_report(task_id, "messages", proto::server::encode(proto::server::messages_request{std::move(batch)}), false);
}

void server_channel::usage(const std::string& task_id, std::vector<proto::server::usage_entry> entries) {
  store_report(task_id, "usage", proto::server::encode(proto::server::usage_request{std::move(entries)}), false);
}

void server_channel::complete(const std::string& task_id, const proto::server::complete_request& r) {
  store_report(task_id, "complete", proto::server::encode(r), true);
}

void server_channel::fail(const std::string& task_id, const std::string& error) {
  store_report(task_id, "fail", proto::server::encode(proto::server::fail_request{error}), true);
}

void server_channel::forget(const std::string& task_id) {
  if (auto ok = journal_.remove(task_id); !ok)
    log::warn("cannot update the task journal", {{"task_id", task_id}, {"error", ok.error().to_string()}});
}

}  // namespace multicad::core
