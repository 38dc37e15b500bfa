#include "proto/lifecycle/message_batcher.hpp"

#include "proto/utf8.hpp"

namespace multicad::proto::lifecycle {

using codex::event;
using server::task_message;

message_batcher::message_batcher(std::size_t max_pending, std::size_t max_text)
    : max_pending_(max_pending), max_text_(max_text) {}

task_message message_batcher::next(std::string type) {
  task_message m;
  m.seq = ++seq_;
  m.type = std::move(type);
  return m;
}

void message_batcher::add(const event& e) {
  auto append_text = [&](std::string& into) {
    if (into.size() < max_text_) into += proto::utf8_prefix(e.content, max_text_ - into.size());
  };
  switch (e.type) {
    case event::kind::text:
      if (!text_.empty()) text_ += "\n\n";
      append_text(text_);
      return;
    case event::kind::thinking:
      if (!thinking_.empty()) thinking_ += "\n\n";
      append_text(thinking_);
      return;
    default: break;
  }
  if (queued_.size() >= max_pending_) {
    ++dropped_;
    ++dropped_total_;
    return;
  }
  if (e.type == event::kind::tool_use) {
    auto m = next("tool_use");
    m.tool = e.tool;
    m.input_json = e.input_json;
    if (!e.call_id.empty()) tool_of_call_[e.call_id] = e.tool;
    queued_.push_back(std::move(m));
  } else if (e.type == event::kind::tool_result) {
    auto m = next("tool_result");
    m.tool = e.tool;
    if (m.tool.empty())
      if (auto it = tool_of_call_.find(e.call_id); it != tool_of_call_.end()) m.tool = it->second;
    m.output = std::string(proto::utf8_prefix(e.output, tool_output_cap));
    queued_.push_back(std::move(m));
  } else {
    auto m = next("error");
    m.content = e.content;
    queued_.push_back(std::move(m));
  }
}

std::vector<task_message> message_batcher::flush() {
  if (!thinking_.empty()) {
    auto m = next("thinking");
    m.content = std::move(thinking_);
    queued_.push_back(std::move(m));
    thinking_.clear();
  }
  if (!text_.empty()) {
    auto m = next("text");
    m.content = std::move(text_);
    queued_.push_back(std::move(m));
    text_.clear();
  }
  if (dropped_ > 0) {
    auto m = next("error");
    m.content = std::to_string(dropped_) + " agent events were not forwarded: more than " +
                std::to_string(max_pending_) + " arrived between two deliveries";
    queued_.push_back(std::move(m));
    dropped_ = 0;
  }
  auto out = std::move(queued_);
  queued_.clear();
  return out;
}

}  // namespace multicad::proto::lifecycle
