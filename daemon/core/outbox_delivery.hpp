// Delivers the outbox (store/outbox.hpp): each task's reports in its order
// (an ending task's last reports together, in one round trip), retried with capped, jittered backoff until the server answers 2xx
// or refuses for good. The server has no idempotency, so a complete or fail
// whose first attempt landed but whose answer was lost comes back as
// "400 ... no rows in result set"; then the task's status is asked, and a
// terminal status counts as the acknowledgement.
// Tasks do not wait for each other: up to `delivery_lanes` sendable items
// are in flight at once (one per pooled connection), and a lane that frees up
// takes the next due item at once, so one slow answer holds back only its
// own task's later reports.
// Thread rule: run() on the daemon's io_context; wake() from the same thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "daemon/core/metrics.hpp"
#include "daemon/net/server_client.hpp"
#include "daemon/store/outbox.hpp"

namespace multicad::core {

// Reports of different tasks in flight at once; matches the connection pool's idle limit.
inline constexpr std::size_t delivery_lanes = 4;

struct delivery_policy {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60'000};
};

// The wait before attempt `attempts + 1` (capped exponential, jitter +-20%). Pure but for the RNG.
std::chrono::milliseconds delivery_backoff(const delivery_policy& p, std::int64_t attempts);

class outbox_delivery {
 public:
  // Requires: client and db outlive this object.
  outbox_delivery(boost::asio::any_io_executor ex, net::server_client& client, store::database& db,
                  delivery_policy policy = {});

  // Delivers until stop(); returns promptly after stop().
  boost::asio::awaitable<void> run();
  void wake();  // new items were stored
  void stop();
  bool stopped() const { return stopped_; }
  std::int64_t delivered_total() const { return delivered_; }
  void count_into(metrics* m) { stats_ = m; }

 private:
  // Starts a delivery for each due sendable item not already in flight, while lanes are free.
  void start_due();
  // How long run() may sleep before something could be due that is not in flight.
  std::chrono::milliseconds idle_wait();
  void in_lane(store::outbox_item item);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
  boost::asio::awaitable<void> deliver(store::outbox_item item);
  boost::asio::awaitable<bool> acknowledged_by_status(const store::outbox_item& item);
  void refused(const store::outbox_item& item, const net::api_error& e);
  void note_store(const store::result<void>& done, const store::outbox_item& item, const char* step);
  void postpone(const store::outbox_item& item, const net::api_error& e);

  net::server_client& client_;
  store::database& db_;
  store::outbox outbox_;
  delivery_policy policy_;
  boost::asio::steady_timer timer_;
  boost::asio::any_io_executor ex_;
  std::set<std::int64_t> in_flight_;  // outbox item ids with a delivery under way
  bool stopped_ = false, woken_ = false;
  bool outage_logged_ = false;
  std::int64_t delivered_ = 0;
  metrics* stats_ = nullptr;
};

}  // namespace multicad::core
