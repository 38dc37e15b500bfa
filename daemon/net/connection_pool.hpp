// The idle keep-alive connections of one client (one origin). A request takes
// the most recently used one that is still open, or opens its own; after a
// complete keep-alive exchange it gives the connection back. Internal to
// daemon/net. Thread rule: the client's executor only.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "daemon/net/connection.hpp"

namespace multicad::net {

// The daemon's loops seldom have more than a few requests in flight at once
// (heartbeat, claim, a task's messages and status); more idle sockets would
// only hold file descriptors and server slots.
inline constexpr std::size_t max_idle_connections = 4;
// Idle longer than this and a connection is closed rather than reused: common
// load balancers drop idle connections after 60 s, and racing their close
// costs a failed send.
inline constexpr std::chrono::seconds max_idle_time{30};

class connection_pool {
 public:
  using clock = std::chrono::steady_clock;

  // The freshest idle connection that is still usable, or null. Connections
  // found closed by the server or idle too long are dropped on the way.
  std::unique_ptr<connection> take(clock::time_point now = clock::now());

  // Keeps `c` for reuse; when max_idle_connections are already idle, the
  // oldest is closed to make room.
  void give_back(std::unique_ptr<connection> c, clock::time_point now = clock::now());

  void close_all();
  std::size_t idle_count() const { return idle_.size(); }

 private:
  struct idle {
    std::unique_ptr<connection> conn;
    clock::time_point since;
  };
  std::vector<idle> idle_;  // oldest first
};

}  // namespace multicad::net
