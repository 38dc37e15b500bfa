#include "daemon/core/task_timers.hpp"

#include <algorithm>
#include <utility>

namespace multicad::core {
namespace asio = boost::asio;

namespace {

// steady_timer has no default constructor: one per index, all on `ex`.
template <std::size_t>
asio::steady_timer timer_on(const asio::any_io_executor& ex) { return asio::steady_timer(ex); }

template <std::size_t... I>
std::array<asio::steady_timer, sizeof...(I)> make_timers(const asio::any_io_executor& ex, std::index_sequence<I...>) {
  return {timer_on<I>(ex)...};
}

}  // namespace

task_timers::task_timers(asio::any_io_executor ex, std::function<void(timer)> fired)
    : fired_(std::move(fired)), timers_(make_timers(ex, std::make_index_sequence<proto::lifecycle::timer_count>{})) {}

void task_timers::arm(timer which, std::chrono::milliseconds after, std::shared_ptr<void> owner) {
  auto i = static_cast<std::size_t>(which);
  due_[i] = clock::now() + after;
  if (armed_[i] && timers_[i].expiry() <= due_[i]) return;  // the wait in flight moves on by itself
  auto generation = ++generation_[i];
  armed_[i] = true;
  timers_[i].expires_at(due_[i]);
  wait(i, generation, std::move(owner));
}

void task_timers::wait(std::size_t i, unsigned generation, std::shared_ptr<void> owner) {
  timers_[i].async_wait([this, i, generation, owner = std::move(owner)](boost::system::error_code ec) mutable {
    if (ec || generation_[i] != generation) return;  // cancelled or re-armed
    if (clock::now() < due_[i]) {
      timers_[i].expires_at(due_[i]);  // moved on meanwhile
      return wait(i, generation, std::move(owner));
    }
    armed_[i] = false;
    fired_(static_cast<timer>(i));
  });
}

void task_timers::cancel(timer which) {
  auto i = static_cast<std::size_t>(which);
  ++generation_[i];
  armed_[i] = false;
  timers_[i].cancel();
}

void task_timers::cancel_all() {
  for (std::size_t i = 0; i < timers_.size(); ++i) cancel(static_cast<timer>(i));
}

std::optional<std::chrono::nanoseconds> task_timers::left(timer which) const {
  auto i = static_cast<std::size_t>(which);
  if (!armed_[i]) return std::nullopt;
  return std::max(std::chrono::nanoseconds{0}, due_[i] - clock::now());
}

}  // namespace multicad::core
