// What the watchdogs see of each message Codex sends during the turn
// (activity.hpp): its kind and a short description. Called after the
// message was handled, so the open tool items are already up to date.
#include <algorithm>

#include "proto/codex/session_impl.hpp"

namespace multicad::proto::codex {
using wire::json;

namespace {

constexpr std::size_t subject_bytes = 80;

// A JSON string literal: quoted, control characters and quotes escaped,
// invalid UTF-8 replaced, at most `subject_bytes` of the original.
std::string quote_subject(std::string_view text) {
  if (text.empty()) return {};
  std::string cut = wire::printable_prefix(text, subject_bytes);
  if (cut.size() < text.size()) cut += "…";
  return " " + wire::dump(json(std::move(cut)));
}

std::string text_or_empty(const json& obj, const char* key) {
  auto it = obj.is_object() ? obj.find(key) : obj.end();
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What an item is about: the command a model asked for, the changed paths,
// the MCP tool. Read leniently: this only describes, it never fails a line.
std::string item_subject(const std::string& type, const json& item) {
  if (type == "commandExecution") {
    auto actions = item.find("commandActions");
    if (actions != item.end() && actions->is_array() && !actions->empty()) {
      std::string command = text_or_empty((*actions)[0], "command");
      if (!command.empty()) return command;
    }
    return text_or_empty(item, "command");
  }
  if (type == "fileChange") {
    std::string paths;
    auto changes = item.find("changes");
    if (changes == item.end() || !changes->is_array()) return {};
    for (const auto& change : *changes) {
      if (!paths.empty()) paths += ", ";
      paths += text_or_empty(change, "path");
      if (paths.size() > subject_bytes) break;
    }
    return paths;
  }
  if (type == "mcpToolCall") return text_or_empty(item, "server") + "/" + text_or_empty(item, "tool");
  return {};
}

// A method or item type as Codex wrote it, made safe to log: bounded, and
// any control character replaced.
std::string name(std::string_view text) {
  std::string out = wire::printable_prefix(text, 64);
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

bool is_delta(const std::string& method) {
  return method.starts_with("item/") && method != "item/started" && method != "item/completed";
}

}  // namespace

void session::impl::record_activity(const wire::message& msg, state before) {
  if (before != state::in_turn) {
    // The turn/start reply is the one message before the turn that counts.
    if (state_ == state::in_turn) activity_.push_back({activity::kind::turn_started, "turn/start answered"});
    return;
  }
  activity a;
  a.tool_in_flight = !open_items_.empty();
  const json& params = msg.params.is_object() ? msg.params : json::object();
  switch (msg.type) {
    case wire::message::kind::response: a.description = "a reply"; break;
    case wire::message::kind::request:
      a.what = activity::kind::progress;  // an approval asked: the agent wants to go on
      a.description = name(msg.method);
      break;
    case wire::message::kind::notification: {
      a.description = name(msg.method);
      const bool ours = !names_other_turn(params);
      if (msg.method == "item/started" || msg.method == "item/completed") {
        const json& item = params.contains("item") ? params["item"] : json::object();
        std::string type = text_or_empty(item, "type");
        // The echo of a prompt is not the agent doing anything. A sub-agent's
        // items (codex.multi_agent) are the task progressing, but not the
        // first item of our turn.
        a.what = type == "userMessage" ? activity::kind::other : ours ? activity::kind::item : activity::kind::progress;
        a.description += " " + (type.empty() ? std::string("item") : name(type)) +
                         quote_subject(item_subject(type, item));
      } else if (is_delta(msg.method)) {
        a.what = activity::kind::progress;
        if (const auto* open = find_open_item(text_or_empty(params, "itemId"))) a.description += quote_subject(open->subject);
      } else if (ours && msg.method == "error") {
        // A retry ("Reconnecting... 2/5") is the model failing to answer, not progress.
        auto retry = params.find("willRetry");
        bool will_retry = retry != params.end() && retry->is_boolean() && retry->get<bool>();
        a.what = will_retry ? activity::kind::other : activity::kind::progress;
      } else if (ours && (msg.method == "turn/diff/updated" || msg.method == "turn/plan/updated")) {
        a.what = activity::kind::progress;
      }
      break;
    }
  }
  if (state_ == state::finished) a.what = activity::kind::turn_ended;
  activity_.push_back(std::move(a));
}

}  // namespace multicad::proto::codex
