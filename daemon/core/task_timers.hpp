// One deadline per lc::timer of a task machine, on the io_context: arm,
// cancel, and the time left (for `status`). An expiry calls `fired` with
// the timer's name; a cancelled or re-armed wait calls nothing.
// DESIGN: the watchdogs re-arm a timer on every line Codex writes, nearly
// always to a later deadline. That only moves the deadline: the wait in
// flight waits again when it wakes early, so a chatty Codex costs no timer
// cancellation per line. An earlier deadline re-arms for real.
// Lifetime: each wait holds `owner` (the task's shell), so `fired` never
// runs on a shell that is gone. Thread rule: the io_context only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "proto/lifecycle/task_machine.hpp"

namespace multicad::core {

class task_timers {
 public:
  using timer = proto::lifecycle::timer;

  task_timers(boost::asio::any_io_executor ex, std::function<void(timer)> fired);

  void arm(timer which, std::chrono::milliseconds after, std::shared_ptr<void> owner);
  void cancel(timer which);
  void cancel_all();
  // How long until `which` fires; nullopt when it is not armed.
  std::optional<std::chrono::nanoseconds> left(timer which) const;

 private:
  using clock = boost::asio::steady_timer::clock_type;
  void wait(std::size_t i, unsigned generation, std::shared_ptr<void> owner);

  std::function<void(timer)> fired_;
  std::array<boost::asio::steady_timer, proto::lifecycle::timer_count> timers_;
  std::array<unsigned, proto::lifecycle::timer_count> generation_{};
  std::array<bool, proto::lifecycle::timer_count> armed_{};
  std::array<clock::time_point, proto::lifecycle::timer_count> due_{};
};

}  // namespace multicad::core
