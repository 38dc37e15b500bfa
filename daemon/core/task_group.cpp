#include "daemon/core/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/async/guarded.hpp"
#include "daemon/core/task_runner.hpp"
#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

task_group::task_group(asio::any_io_executor ex, task_environment& env, std::function<void()> slot_freed)
    : ex_(ex), env_(env), slot_freed_(std::move(slot_freed)), changed_(ex) {
  env_.registry.on_change = [this] {
    changed_.cancel();
    if (slot_freed_) slot_freed_();
  };
}

void task_group::start(proto::task task, std::function<void()> ended) {
  auto id = task.id;
  asio::co_spawn(ex_, run_task(env_, std::move(task)),
                 [this, id, ended = std::move(ended)](std::exception_ptr e, task_end) {
                   if (e) {
                     // run_task turns its own faults into a failed task; this is
                     // the last net, for a fault outside its shell.
                     log::error("a task ended by an internal error", {{"task_id", id}, {"error", async::describe(e)},
                                {"hint", "a bug in multicad: please report it with this log"}});
                     env_.channel.fail(id, "internal error: " + async::describe(e));
                     env_.registry.remove(id);
                   }
                   if (ended) ended();
                 });
}

asio::awaitable<void> task_group::wait_for_tasks(std::chrono::steady_clock::duration limit) {
  asio::steady_timer deadline(ex_, limit);
  while (running() > 0) {
    changed_.expires_at(asio::steady_timer::time_point::max());
    auto woke = co_await (changed_.async_wait(use_tuple) || deadline.async_wait(use_tuple));
    if (woke.index() == 1) break;  // the deadline passed
  }
}

asio::awaitable<void> task_group::drain(std::chrono::nanoseconds grace) {
  co_await wait_for_tasks(std::chrono::duration_cast<std::chrono::steady_clock::duration>(grace));
  if (running() == 0) co_return;
  log::warn("shutdown grace over; stopping the running tasks",
            {{"running", std::to_string(running())},
             {"hint", "raise shutdown_grace to let tasks finish; their failure is reported as \"daemon shutting down\""}});
  env_.registry.stop_all("daemon shutting down");
  co_await wait_for_tasks(task_stop_budget);
  if (running() > 0)
    log::error("tasks did not end within the stop budget; exiting anyway",
               {{"running", std::to_string(running())},
                {"hint", "their agents were sent SIGKILL; the next start recovers and reports them"}});
}

}  // namespace multicad::core
