// The delivery outbox: every report that ends or describes a task
// (messages, usage, complete, fail) is stored here before it is sent, and
// stays until the server acknowledges it or refuses it for good. Items of
// one task are delivered in order (the head of each task first) until its
// final report (complete or fail) is stored; from then on the oldest item
// of each kind (messages, usage, the final report) may go at once: the
// server takes messages and usage in any task state, so their order
// against the final report means nothing to it, and a task's end costs one
// round trip instead of one per item. Message batches stay in order among
// themselves. Tasks do not wait for each other. Use on one thread (the
// io_context).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/database.hpp"

namespace multicad::store {

struct outbox_item {
  std::int64_t id = 0;
  std::string task_id;
  std::string kind;     // messages | usage | complete | fail
  std::string payload;  // request body (JSON)
  std::int64_t created_at_ms = 0;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::string last_error;
};

struct outbox_depth {
  std::int64_t items = 0;
  std::optional<outbox_item> oldest;
};

class outbox {
 public:
  // Requires: `db` outlives the outbox.
  explicit outbox(database& db) : db_(db) {}

  result<std::int64_t> enqueue(const std::string& task_id, const std::string& kind, const std::string& payload,
                               std::int64_t now_ms);
  // The sendable items (see above) whose next attempt is due at `now_ms`,
  // oldest first; at most `limit` of them when limit >= 0.
  result<std::vector<outbox_item>> due(std::int64_t now_ms, std::int64_t limit = -1);
  // The earliest next_attempt_ms later than `after_ms` among sendable items, if any.
  result<std::optional<std::int64_t>> next_due(std::int64_t after_ms = std::numeric_limits<std::int64_t>::min());
  result<void> delivered(std::int64_t id);
  result<void> retry_later(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error);
  // True when a complete or fail for the task is stored and not yet delivered.
  result<bool> has_final(const std::string& task_id);
  result<outbox_depth> depth();

 private:
  database& db_;
};

}  // namespace multicad::store
