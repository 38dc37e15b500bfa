#include "daemon/net/connection_pool.hpp"

namespace multicad::net {

std::unique_ptr<connection> connection_pool::take(clock::time_point now) {
  while (!idle_.empty()) {
    auto entry = std::move(idle_.back());
    idle_.pop_back();
    if (now - entry.since <= max_idle_time && !entry.conn->peer_closed()) return std::move(entry.conn);
    entry.conn->close();
  }
  return nullptr;
}

void connection_pool::give_back(std::unique_ptr<connection> c, clock::time_point now) {
  if (idle_.size() >= max_idle_connections) {
    idle_.front().conn->close();
    idle_.erase(idle_.begin());
  }
  idle_.push_back({std::move(c), now});
}

void connection_pool::close_all() {
  for (auto& entry : idle_) entry.conn->close();
  idle_.clear();
}

}  // namespace multicad::net
