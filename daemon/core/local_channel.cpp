#include "daemon/core/local_channel.hpp"

#include <chrono>

#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;

namespace {
std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void log_store_error(const std::string& task_id, const std::string& what, const store::store_error& e) {
  log::error("cannot write to the local task store", {{"task_id", task_id}, {"what", what}, {"error", e.message},
             {"hint", "check free space and permissions of state_dir"}});
}
}  // namespace

local_channel::local_channel(store::database& db) : db_(db), journal_(db), tasks_(db) {}

asio::awaitable<std::optional<start_failure>> local_channel::start(const std::string&) {
  co_return std::nullopt;  // claim_next already moved it to running
}

asio::awaitable<void> local_channel::progress(const std::string& task_id, const std::string& summary, int step, int total) {
  log::debug("task progress", {{"task_id", task_id}, {"summary", summary},
                               {"step", std::to_string(step) + "/" + std::to_string(total)}});
  co_return;
}

asio::awaitable<remote_state> local_channel::poll(const std::string& task_id) {
  auto t = tasks_.find(task_id);
  if (!t) co_return remote_state::unknown;
  if (!*t) co_return remote_state::gone;
  co_return (*t)->cancel_requested || (*t)->status == "cancelled" ? remote_state::cancelled : remote_state::running;
}

void local_channel::messages(const std::string& task_id, std::vector<proto::server::task_message> batch) {
  std::vector<store::local_event> events;
  auto at = now_ms();
  for (auto& m : batch)
    events.push_back({m.seq, std::move(m.type), std::move(m.tool), std::move(m.content), std::move(m.input_json),
                      std::move(m.output), at});
  if (auto ok = tasks_.add_events(task_id, events); !ok) log_store_error(task_id, "events", ok.error());
}

void local_channel::usage(const std::string& task_id, std::vector<proto::server::usage_entry> entries) {
  std::vector<store::local_usage> out;
  for (const auto& u : entries)
    out.push_back({u.provider, u.model, u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens});
  if (auto ok = tasks_.set_usage(task_id, out); !ok) log_store_error(task_id, "usage", ok.error());
}

void local_channel::finish(const std::string& task_id, const std::string& status, const std::string& output,
                           const std::string& error, const std::string& session_id, const std::string& work_dir) {
  auto ok = db_.transaction([&]() -> store::result<void> {
    if (auto r = tasks_.finish(task_id, status, output, error, session_id, work_dir, now_ms()); !r) return r;
    return journal_.remove(task_id);
  });
  if (!ok) log_store_error(task_id, "final status", ok.error());
}

void local_channel::complete(const std::string& task_id, const proto::server::complete_request& r) {
  finish(task_id, "completed", r.output, "", r.session_id, r.work_dir);
}

void local_channel::fail(const std::string& task_id, const std::string& error) {
  finish(task_id, "failed", "", error, "", "");
}

void local_channel::forget(const std::string& task_id) {
  // Locally the only silent end is a cancellation the user asked for.
  finish(task_id, "cancelled", "", "cancelled by the user", "", "");
}

}  // namespace multicad::core
