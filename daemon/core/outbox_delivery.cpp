#include "daemon/core/outbox_delivery.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "daemon/log/log.hpp"
#include "proto/server/codec.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono;

namespace {
std::int64_t now_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

std::string path_of(const store::outbox_item& item) {
  namespace paths = proto::server::paths;
  if (item.kind == "messages") return paths::messages(item.task_id);
  if (item.kind == "usage") return paths::usage(item.task_id);
  if (item.kind == "complete") return paths::complete(item.task_id);
  return paths::fail(item.task_id);
}

bool is_final(const store::outbox_item& item) { return item.kind == "complete" || item.kind == "fail"; }

std::string exception_text(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}
}  // namespace

milliseconds delivery_backoff(const delivery_policy& p, std::int64_t attempts) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  double base = static_cast<double>(p.initial_backoff.count());
  for (std::int64_t i = 0; i < attempts && base < static_cast<double>(p.max_backoff.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(p.max_backoff.count()));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return milliseconds(static_cast<std::int64_t>(base * jitter(rng)));
}

outbox_delivery::outbox_delivery(asio::any_io_executor ex, net::server_client& client, store::database& db,
                                 delivery_policy policy)
    : client_(client), db_(db), outbox_(db), policy_(policy), timer_(ex), ex_(ex) {}

void outbox_delivery::wake() {
  woken_ = true;
  timer_.cancel();
}

void outbox_delivery::stop() {
  stopped_ = true;
  timer_.cancel();
}

asio::awaitable<void> outbox_delivery::run() {
  while (!stopped_) {
    start_due();
    if (woken_) { woken_ = false; continue; }
    co_await sleep(idle_wait());
  }
  // Deliveries under way finish (each is bounded by server_timeout); their
  // reports stay stored if the answer does not come, and go at the next start.
  while (!in_flight_.empty()) {
    if (!woken_) co_await sleep(milliseconds(60'000));
    woken_ = false;
  }
}

asio::awaitable<void> outbox_delivery::sleep(milliseconds d) {
  timer_.expires_after(d);
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  woken_ = false;
}

void outbox_delivery::start_due() {
  if (in_flight_.size() >= delivery_lanes) return;
  // Items in flight are among the due ones; ask for enough rows to see past them.
  auto due = outbox_.due(now_ms(), static_cast<std::int64_t>(in_flight_.size() + delivery_lanes));
  if (!due) {
    log::error("cannot read the outbox", {{"error", due.error().to_string()}, {"hint", "check state_dir"}});
    return;
  }
  for (auto& item : *due) {
    if (in_flight_.size() >= delivery_lanes || stopped_) break;
    if (in_flight_.count(item.id)) continue;
    in_lane(std::move(item));
  }
}

milliseconds outbox_delivery::idle_wait() {
  auto wait = milliseconds(60'000);  // nothing waits: sleep until woken
  // An item due now is either in flight (its answer wakes us) or waiting for a lane (likewise).
  auto next = outbox_.next_due(now_ms());
  if (next && *next) wait = std::clamp(milliseconds(**next - now_ms()), milliseconds(0), wait);
  return wait;
}

void outbox_delivery::in_lane(store::outbox_item item) {
  in_flight_.insert(item.id);
  auto task_id = item.task_id;
  auto id = item.id;
  asio::co_spawn(ex_, deliver(std::move(item)), [this, task_id, id](std::exception_ptr e) {
    if (e)
      log::error("report delivery failed unexpectedly; the report is kept and retried",
                 {{"task_id", task_id}, {"error", exception_text(e)}, {"hint", "this is a bug in multicad; please report it"}});
    in_flight_.erase(id);
    wake();  // a lane is free, and this task's next report may be due
  });
}

// By value: the delivery runs detached and owns what it sends.
asio::awaitable<void> outbox_delivery::deliver(store::outbox_item item) {
  auto r = co_await client_.post_json(path_of(item), item.payload, net::retry_policy::none());
  if (r) {
    note_store(outbox_.delivered(item.id), item, "mark it delivered");
    ++delivered_;
    if (stats_) ++stats_->reports_delivered;
    if (outage_logged_) {
      log::info("server reachable again; delivering queued reports", {{"server_url", client_.base_url()}});
      outage_logged_ = false;
    }
    if (item.attempts > 0)
      log::info("report delivered after retries", {{"task_id", item.task_id}, {"kind", item.kind},
                                                   {"attempts", std::to_string(item.attempts + 1)}});
    co_return;
  }
  const auto& e = r.error();
  if (e.retryable() || e.unauthorized()) { postpone(item, e); co_return; }
  if (is_final(item) && e.state_conflict()) {
    bool acknowledged = co_await acknowledged_by_status(item);
    if (acknowledged) co_return;
  }
  refused(item, e);
}

// A final report the server says it cannot apply: if the task is already in
// a terminal state, either an earlier attempt (whose answer was lost)
// applied it, or the server ended the task while Codex finished (the task
// machine takes no status look before its report: this is that look).
asio::awaitable<bool> outbox_delivery::acknowledged_by_status(const store::outbox_item& item) {
  auto st = co_await client_.status(item.task_id, net::retry_policy::none());
  if (!st) {
    postpone(item, st.error());
    co_return true;  // handled: asked again later
  }
  if (st->status != "completed" && st->status != "failed" && st->status != "cancelled") co_return false;
  note_store(outbox_.delivered(item.id), item, "mark it delivered");
  ++delivered_;
  const bool ours = st->status == (item.kind == "complete" ? "completed" : "failed");
  if (ours)
    log::info("final report already applied by the server; treating the task status as the acknowledgement",
              {{"task_id", item.task_id}, {"kind", item.kind}, {"status", st->status}});
  else
    log::info("the task ended on the server before its report arrived; nothing more to send",
              {{"task_id", item.task_id}, {"kind", item.kind}, {"status", st->status}});
  co_return true;
}

void outbox_delivery::postpone(const store::outbox_item& item, const net::api_error& e) {
  auto wait = delivery_backoff(policy_, item.attempts);
  note_store(outbox_.retry_later(item.id, now_ms() + wait.count(), e.to_string()), item, "postpone it");
  if (!outage_logged_) {
    outage_logged_ = true;
    log::warn("server unreachable or refusing for now; reports are kept and retried",
              {{"task_id", item.task_id}, {"kind", item.kind}, {"error", e.to_string()},
               {"retry_in", std::to_string(wait.count()) + "ms"}, {"server_url", client_.base_url()},
               {"hint", e.unauthorized() ? "the token was rejected: check token/token_file, then nothing else; "
                                           "queued reports are sent once it is accepted"
                                         : "nothing is lost; check the server and the network"}});
  }
}

// A queue the store cannot update still delivers: a report it failed to
// mark delivered is sent again later and the server answers it as a state
// conflict, which acknowledged_by_status settles. Said once per failure.
void outbox_delivery::note_store(const store::result<void>& done, const store::outbox_item& item, const char* step) {
  if (done) return;
  log::warn("cannot update the report queue; a report may be sent twice",
            {{"task_id", item.task_id}, {"kind", item.kind}, {"step", step}, {"error", done.error().to_string()},
             {"hint", "check state_dir (disk full, permissions); the server ignores a repeated report"}});
}

void outbox_delivery::refused(const store::outbox_item& item, const net::api_error& e) {
  note_store(outbox_.delivered(item.id), item, "drop it");
  if (e.task_not_found()) {
    log::warn("report dropped: the task no longer exists on the server",
              {{"task_id", item.task_id}, {"kind", item.kind}, {"hint", "the issue was probably deleted; nothing to do"}});
    return;
  }
  if (e.kind == net::failure_kind::request) {
    log::error("report can never be sent and was dropped",
               {{"task_id", item.task_id}, {"kind", item.kind}, {"error", e.to_string()},
                {"hint", "the task's id cannot form a request; report this with the line"}});
    return;
  }
  log::error("report refused by the server and dropped",
             {{"task_id", item.task_id}, {"kind", item.kind}, {"error", e.to_string()},
              {"hint", "this is a bug in multicad or the server; please report it with this line"}});
  if (item.kind == "complete") {
    // The reference daemon's rule: a complete the server will not take becomes a fail.
    auto queued = outbox_.enqueue(item.task_id, "fail",
                                  proto::server::encode(proto::server::fail_request{"complete task failed: " + e.to_string()}),
                                  now_ms());
    if (!queued)
      log::error("cannot queue the fail that replaces a refused complete; the task stays as the server has it",
                 {{"task_id", item.task_id}, {"error", queued.error().to_string()},
                  {"hint", "check state_dir (disk full, permissions); the server times the task out"}});
  }
}

}  // namespace multicad::core
