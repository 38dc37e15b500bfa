// item/started and item/completed -> the events the daemon forwards (spec
// §4.3). Tool items (commands, file changes, MCP calls) become a tool_use
// when they start and a tool_result when they complete; agent messages and
// reasoning only matter once complete. Unknown item types are ignored.
#include <algorithm>
#include <optional>

#include "proto/codex/session_impl.hpp"

namespace multicad::proto::codex {
using wire::json;

namespace {

constexpr const char* aborted_output = "aborted: the turn ended before this finished";

struct tool_call {
  std::string tool;
  std::string input_json;
  std::string subject;  // the command or the file paths, for approval notes
};

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// The change's kind: {"type":"add"} in v2 items, a bare string in older shapes.
std::pair<std::string, std::string> change_kind(const json& change) {
  const json& kind = change.is_object() && change.contains("kind") ? change["kind"] : json::object();
  if (kind.is_string()) return {kind.get<std::string>(), {}};
  const char* path = "item.changes[].kind";
  return {wire::text_at(kind, "type", path), wire::text_at(kind, "move_path", path)};
}

tool_call command_call(const json& item) {
  // `command` is the shell-wrapped form (/bin/bash -lc '...'); the first
  // command action holds what the model asked to run.
  const json& actions = wire::array_at(item, "commandActions", "item");
  std::string command = actions.empty() ? "" : wire::text_at(actions[0], "command", "item.commandActions[0]");
  if (command.empty()) command = wire::text_at(item, "command", "item");
  json input{{"command", command}, {"cwd", wire::text_at(item, "cwd", "item")}};
  return {"exec_command", wire::dump(input), command};
}

tool_call file_change_call(const json& item) {
  json changes = json::array();
  std::vector<std::string> paths;
  for (const json& change : wire::array_at(item, "changes", "item")) {
    std::string path = wire::text_at(change, "path", "item.changes[]");
    changes.push_back({{"path", path}, {"kind", change_kind(change).first}});
    paths.push_back(std::move(path));
  }
  return {"apply_patch", wire::dump(json{{"changes", std::move(changes)}}), join(paths, ", ")};
}

tool_call mcp_call(const json& item) {
  std::string name = "mcp:" + wire::text_at(item, "server", "item") + "/" + wire::text_at(item, "tool", "item");
  const json& args = item.contains("arguments") ? item["arguments"] : json::object();
  // input_json must be an object; arguments are one in practice.
  json input = args.is_object() ? args : args.is_null() ? json::object() : json{{"arguments", args}};
  return {std::move(name), wire::dump(input), {}};
}

std::optional<tool_call> describe_tool_call(const std::string& type, const json& item) {
  if (type == "commandExecution") return command_call(item);
  if (type == "fileChange") return file_change_call(item);
  if (type == "mcpToolCall") return mcp_call(item);
  return std::nullopt;
}

std::string command_output(const json& item) {
  std::string output = wire::text_at(item, "aggregatedOutput", "item");
  if (!output.empty()) return output;
  // Null when the command printed nothing: say how it ended instead.
  std::string status = wire::text_at(item, "status", "item");
  if (status == "declined") return status;
  if (auto code = wire::int_at(item, "exitCode", "item")) return "exit code " + std::to_string(*code);
  return status.empty() ? "no output" : status;
}

std::string file_change_output(const json& item) {
  std::string status = wire::text_at(item, "status", "item");
  if (status == "declined" || status == "failed") return status;
  std::vector<std::string> lines;
  for (const json& change : wire::array_at(item, "changes", "item")) {
    auto [kind, move_path] = change_kind(change);
    std::string letter = kind == "add" ? "A" : kind == "delete" ? "D" : kind == "update" ? "M" : "?";
    std::string line = letter + " " + wire::text_at(change, "path", "item.changes[]");
    if (!move_path.empty()) line += " -> " + move_path;
    lines.push_back(std::move(line));
  }
  if (!lines.empty()) return join(lines, "\n");
  return status.empty() ? "no changes" : status;
}

// Best effort: the text parts of the MCP result, else the result as JSON.
std::string mcp_output(const json& item) {
  const json& error = wire::object_at(item, "error", "item");
  if (!error.empty()) {
    std::string message = wire::text_at(error, "message", "item.error");
    return "error: " + (message.empty() ? wire::dump(error) : message);
  }
  const json& result = wire::object_at(item, "result", "item");
  if (result.empty()) {
    std::string status = wire::text_at(item, "status", "item");
    return status.empty() ? "no result" : status;
  }
  std::vector<std::string> texts;
  for (const json& part : wire::array_at(result, "content", "item.result")) {
    if (wire::text_at(part, "type", "item.result.content[]") != "text") continue;
    texts.push_back(wire::text_at(part, "text", "item.result.content[]"));
  }
  return texts.empty() ? wire::dump(result) : join(texts, "\n");
}

std::string tool_output(const std::string& type, const json& item) {
  if (type == "commandExecution") return command_output(item);
  if (type == "fileChange") return file_change_output(item);
  return mcp_output(item);
}

std::string reasoning_text(const json& item) {
  std::vector<std::string> parts;
  for (const json& part : wire::array_at(item, "summary", "item")) {
    if (!part.is_string()) throw wire::malformed_message{"item.summary holds a non-string"};
    if (!part.get_ref<const std::string&>().empty()) parts.push_back(part.get<std::string>());
  }
  return join(parts, "\n\n");
}

}  // namespace

void session::impl::on_item_started(const json& item) {
  std::string type = wire::text_at(item, "type", "item");
  auto call = describe_tool_call(type, item);
  if (!call) return;
  std::string id = wire::text_at(item, "id", "item");
  if (find_open_item(id)) return;  // a repeated item/started adds nothing
  open_items_.push_back({id, call->tool, call->subject});
  emit({.type = event::kind::tool_use, .tool = call->tool, .call_id = id, .input_json = call->input_json});
}

void session::impl::on_item_completed(const json& item) {
  std::string type = wire::text_at(item, "type", "item");
  if (type == "agentMessage") {
    std::string text = wire::text_at(item, "text", "item");
    if (text.empty()) return;
    answers_.push_back(text);
    return emit({.type = event::kind::text, .content = std::move(text)});
  }
  if (type == "reasoning") {
    std::string text = reasoning_text(item);
    if (!text.empty()) emit({.type = event::kind::thinking, .content = std::move(text)});
    return;
  }
  auto call = describe_tool_call(type, item);
  if (!call) return;
  std::string id = wire::text_at(item, "id", "item");
  std::string output = tool_output(type, item);
  auto open = std::find_if(open_items_.begin(), open_items_.end(), [&](const auto& o) { return o.id == id; });
  if (open != open_items_.end()) {
    // Codex 0.120 sometimes completes a command before its output is
    // aggregated (aggregatedOutput null, exitCode 0): the streamed output
    // is the command's output then.
    if (type == "commandExecution" && wire::text_at(item, "aggregatedOutput", "item").empty() && !open->streamed.empty())
      output = open->streamed;
    open_items_.erase(open);
  } else {
    // Its start was not seen: announce the call so the result has a use.
    emit({.type = event::kind::tool_use, .tool = call->tool, .call_id = id, .input_json = call->input_json});
  }
  emit({.type = event::kind::tool_result, .tool = call->tool, .call_id = id, .output = std::move(output)});
}

// Codex sends no item/completed for what an interrupt or failure cut short
// (spec §0 rule 7); close each call so the transcript has no dangling use.
void session::impl::abandon_open_items() {
  for (auto& item : open_items_) {
    // What the command printed before it was cut short (or before Codex
    // forgot its item/completed, as 0.120 sometimes does) is kept.
    std::string output = item.streamed.empty() ? aborted_output : item.streamed + "\n(" + aborted_output + ")";
    emit({.type = event::kind::tool_result, .tool = item.tool, .call_id = item.id, .output = std::move(output)});
  }
  open_items_.clear();
}

void session::impl::on_output_delta(const json& params) {
  auto it = std::find_if(open_items_.begin(), open_items_.end(),
                         [id = wire::text_at(params, "itemId", "params")](const auto& o) { return o.id == id; });
  if (it == open_items_.end()) return;
  std::string delta = wire::text_at(params, "delta", "params");
  // Bounded: a command printing gigabytes must not grow the daemon; the
  // tool_result sent to the server is capped far below this anyway.
  if (it->streamed.size() < max_streamed_output) it->streamed += delta.substr(0, max_streamed_output - it->streamed.size());
}

const open_tool_item* session::impl::find_open_item(const std::string& id) const {
  auto it = std::find_if(open_items_.begin(), open_items_.end(), [&](const auto& o) { return o.id == id; });
  return it == open_items_.end() ? nullptr : &*it;
}

}  // namespace multicad::proto::codex
