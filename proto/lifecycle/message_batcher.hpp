// Turns a task's agent events into the task messages the server is used to
// (spec/server-api.md §4.9): seq from 1; tool_use, tool_result and error
// take the next seq when they arrive; text and thinking fragments are
// coalesced until the next flush (thinking first), so a batch is small; a
// tool_result's output is capped at 8 KiB (cut at a UTF-8 boundary) and
// takes its call's tool name when it has none. Bounded: past `max_pending`
// messages between two flushes, further tool and error events are counted
// and reported as one error message instead of queued.
// Pure; single-threaded (the task's executor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "proto/codex/session.hpp"
#include "proto/server/types.hpp"

namespace multicad::proto::lifecycle {

inline constexpr std::size_t tool_output_cap = 8 * 1024;

class message_batcher {
 public:
  explicit message_batcher(std::size_t max_pending = 5000, std::size_t max_text = 1024 * 1024);

  void add(const proto::codex::event& e);
  // Everything pending, in seq order; empty when there is nothing.
  std::vector<proto::server::task_message> flush();
  bool empty() const { return queued_.empty() && text_.empty() && thinking_.empty() && dropped_ == 0; }
  std::int32_t last_seq() const { return seq_; }
  std::size_t dropped_total() const { return dropped_total_; }

 private:
  proto::server::task_message next(std::string type);
  std::size_t max_pending_, max_text_;
  std::int32_t seq_ = 0;
  std::vector<proto::server::task_message> queued_;
  std::string text_, thinking_;
  std::size_t dropped_ = 0, dropped_total_ = 0;
  std::map<std::string, std::string> tool_of_call_;
};

}  // namespace multicad::proto::lifecycle
