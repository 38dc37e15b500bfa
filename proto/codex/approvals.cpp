// Server -> client requests (spec §3): approvals are answered by the task's
// approval mode, everything else with a JSON-RPC error. Every request gets a
// reply, because Codex waits for one and the turn would stall without it.
#include "proto/codex/session_impl.hpp"

namespace multicad::proto::codex {
using wire::json;

namespace {

bool is_legacy(const std::string& method) { return method == "execCommandApproval" || method == "applyPatchApproval"; }

bool is_approval(const std::string& method) {
  return method == "item/commandExecution/requestApproval" || method == "item/fileChange/requestApproval" ||
         is_legacy(method);
}

std::string join_strings(const json& array, std::string_view separator, const char* path) {
  std::string out;
  for (const json& part : array) {
    if (!part.is_string()) throw wire::malformed_message{std::string(path) + " holds a non-string"};
    if (!out.empty()) out += separator;
    out += part.get<std::string>();
  }
  return out;
}

}  // namespace

void session::impl::on_server_request(const json& id, const std::string& method, const json& params) {
  if (is_approval(method)) return answer_approval(id, method, params);
  // User input, elicitations, dynamic tool calls, auth refresh...: multicad
  // has no one to ask. An error reply lets Codex fail that step rather than
  // wait forever; for approvals it would fail safe too (spec §3.4, §3.5).
  lines_.push_back(wire::error_line(id, -32601, "multicad does not handle " + method));
  note(log_note::level::info, "codex sent a request multicad does not handle; answered with an error",
       {{"method", method}});
}

void session::impl::answer_approval(const json& id, const std::string& method, const json& params) {
  bool accept = config_.approval_mode == approvals::auto_accept;
  // The legacy methods take ReviewDecision values (spec §3.5).
  const char* decision = is_legacy(method) ? (accept ? "approved" : "denied") : (accept ? "accept" : "decline");
  // Reply before reading the params: a malformed one must not leave Codex waiting.
  lines_.push_back(wire::result_line(id, {{"decision", decision}}));
  note_fields fields = approval_fields(method, params);
  if (accept) {
    // An accepted escalation runs outside the sandbox (spec §3.1): always worth a WARN.
    return note(log_note::level::warn, "codex approval: accepted an escalation outside the sandbox", std::move(fields));
  }
  note(log_note::level::info, "codex approval: declined an escalation (approvals are off for this task)",
       std::move(fields));
}

// What was asked, for the log: the command or the file paths, the model's
// reason, where, and in which thread.
note_fields session::impl::approval_fields(const std::string& method, const json& params) const {
  std::string item_id = wire::text_at(params, "itemId", "params");
  const open_tool_item* item = find_open_item(item_id);
  std::string thread = wire::text_at(params, "threadId", "params");
  std::string cwd = config_.cwd;
  std::pair<std::string, std::string> subject;
  if (method == "item/commandExecution/requestApproval") {
    subject = {"command", wire::text_at(params, "command", "params")};
    if (subject.second.empty() && item) subject.second = item->subject;
    if (auto c = wire::text_at(params, "cwd", "params"); !c.empty()) cwd = c;
  } else if (method == "item/fileChange/requestApproval") {
    // The request carries no paths; the item/started before it does (spec §3.3).
    subject = {"paths", item ? item->subject : ""};
  } else if (method == "execCommandApproval") {
    subject = {"command", join_strings(wire::array_at(params, "command", "params"), " ", "params.command")};
    if (auto c = wire::text_at(params, "cwd", "params"); !c.empty()) cwd = c;
    thread = wire::text_at(params, "conversationId", "params");
  } else {
    std::string paths;
    for (const auto& [path, change] : wire::object_at(params, "fileChanges", "params").items()) {
      paths += (paths.empty() ? "" : ", ") + path;
    }
    subject = {"paths", paths};
    thread = wire::text_at(params, "conversationId", "params");
  }
  if (thread.empty()) thread = outcome_.thread_id;
  return {std::move(subject), {"reason", wire::text_at(params, "reason", "params")}, {"cwd", cwd}, {"thread_id", thread}};
}

}  // namespace multicad::proto::codex
