// Local mode: no server. Tasks come from the store's local queue (`multicad
// submit`), run through the same task runner as server tasks, and report
// into the store (local_channel). A submit or cancel wakes the daemon at
// once through POST /local/wake on the health port; a slow fallback check
// catches a wake that was missed, so nothing busy-polls.
// Thread rule: the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/local_channel.hpp"
#include "daemon/core/services.hpp"
#include "daemon/core/task_group.hpp"

namespace multicad::core {

class local_worker {
 public:
  explicit local_worker(services& svc);

  // Claims and runs tasks until shutdown() has drained them. Returns the exit status.
  boost::asio::awaitable<int> run();
  void wake();  // a task was submitted or cancelled
  void shutdown();
  task_channel& channel() { return channel_; }

 private:
  void claim_while_free();
  task_overrides overrides_for(const proto::task& t) const;

  services& svc_;
  local_channel channel_;
  store::journal journal_;
  store::local_tasks queue_;
  task_environment task_env_;
  task_group tasks_;
  std::map<std::string, store::local_task> submitted_;  // running tasks' prompts and folders
  boost::asio::awaitable<bool> sleep(std::chrono::nanoseconds d);  // false once stopping
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer stop_timer_;  // never expires; cancelled by shutdown()
  bool woken_ = false;
};

// A fallback check interval for a missed wake (the CLI's wake is best effort).
inline constexpr std::chrono::seconds local_fallback_check{5};

}  // namespace multicad::core
