#include "daemon/core/local_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/async/guarded.hpp"
#include "daemon/core/gc_loop.hpp"
#include "daemon/core/supervisor.hpp"
#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The local task in the server's Task shape, so the runner treats both alike.
proto::task as_server_task(const store::local_task& t) {
  proto::task out;
  out.id = t.id;
  out.workspace_id = "local";
  out.status = "running";
  out.agent = proto::task_agent{"", "local", "", {}, {}, {}};
  return out;
}
}  // namespace

local_worker::local_worker(services& svc)
    : svc_(svc), channel_(svc.db), journal_(svc.db), queue_(svc.db),
      task_env_{svc.settings, svc.pool, channel_, journal_, svc.tasks, svc.versions, svc.codex.path,
                svc.shared_codex_home, svc.agent_bin},
      tasks_(svc.io.get_executor(), task_env_, [this] { wake(); }),
      wake_(svc.io), stop_timer_(svc.io, asio::steady_timer::time_point::max()) {
  // A cancel must reach the agent within a second; asking SQLite by primary
  // key four times a second per running task costs next to nothing.
  task_env_.status_poll = 250ms;
  task_env_.overrides = [this](const proto::task& t) { return overrides_for(t); };
  task_env_.stats = &svc_.stats;
}

task_overrides local_worker::overrides_for(const proto::task& t) const {
  auto it = submitted_.find(t.id);
  if (it == submitted_.end()) return {};
  return {it->second.prompt, it->second.workdir, it->second.model, it->second.repo};
}

void local_worker::wake() {
  woken_ = true;
  wake_.cancel();
}

void local_worker::shutdown() {
  if (svc_.stopping) return;
  svc_.stopping = true;
  log::info("shutting down: no new tasks; running tasks may finish",
            {{"running", std::to_string(svc_.tasks.size())},
             {"grace", config::format_duration(svc_.settings.shutdown_grace)}});
  announce_stopping(svc_, "draining: " + std::to_string(svc_.tasks.size()) + " task(s) left");
  stop_timer_.cancel();
  wake();
}

void local_worker::claim_while_free() {
  while (!svc_.stopping && svc_.tasks.size() < static_cast<std::size_t>(svc_.settings.max_concurrent_tasks)) {
    auto next = queue_.claim_next(now_ms());
    if (!next) {
      log::error("cannot read the local task queue", {{"error", next.error().message}, {"hint", "check state_dir"}});
      return;
    }
    if (!*next) return;
    auto t = std::move(**next);
    store::running_task row{t.id, "local", "", "local"};
    row.claimed_at_ms = now_ms();
    if (auto ok = journal_.record(row); !ok)
      log::error("cannot journal a claimed task", {{"task_id", t.id}, {"error", ok.error().message}});
    auto task = as_server_task(t);
    submitted_[t.id] = std::move(t);
    tasks_.start(task, [this, id = task.id] { submitted_.erase(id); });
  }
}

asio::awaitable<bool> local_worker::sleep(std::chrono::nanoseconds d) {
  if (svc_.stopping) co_return false;
  asio::steady_timer t(svc_.io, std::chrono::duration_cast<asio::steady_timer::duration>(d));
  co_await (t.async_wait(use_tuple) || stop_timer_.async_wait(use_tuple));
  co_return !svc_.stopping;
}

asio::awaitable<int> local_worker::run() {
  svc_.ready = true;
  announce_ready(svc_, "local mode: serving the local task queue");
  async::spawn_loop(svc_.io.get_executor(), "GC", [this] {
    return gc_loop(svc_, [](const std::string&) -> asio::awaitable<std::optional<issue_answer>> {
      co_return std::nullopt;  // no server to ask: the metadata's end time decides
    }, [this](std::chrono::nanoseconds d) { return sleep(d); });
  }, [this] { return svc_.stopping; });
  log::info("local mode: serving tasks from the local queue",
            {{"store", svc_.db.file().string()}, {"hint", "submit with `multicad submit \"...\"`"}});
  while (!svc_.stopping) {
    claim_while_free();
    if (woken_) { woken_ = false; continue; }
    wake_.expires_after(local_fallback_check);
    auto [ec] = co_await wake_.async_wait(use_tuple);
    // Tests tell a start by the wake from one by this check through this line.
    if (!ec) log::debug("local queue checked without a wake-up", {{"every", config::format_duration(local_fallback_check)}});
  }
  co_await tasks_.drain(svc_.settings.shutdown_grace);
  co_return 0;
}

}  // namespace multicad::core
