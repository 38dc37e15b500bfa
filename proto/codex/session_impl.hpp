// The session's state and the handlers that share it, split by concern:
//   session.cpp        entry points, request correlation, the state machine
//   sandbox_check.cpp  the effective-sandbox check before the turn starts
//   notifications.cpp  turn-level notifications, usage, the turn's end
//   event_mapping.cpp  item/started and item/completed -> events
//   approvals.cpp      server -> client requests
// Internal to proto/codex. Single-threaded, like the session.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/codex/session.hpp"
#include "proto/codex/wire.hpp"

namespace multicad::proto::codex {

// What one of our requests was for, so its reply can be routed.
enum class request_kind { initialize, account_read, thread_start, thread_resume, turn_start, turn_interrupt };

// A tool item that had item/started and no item/completed yet.
struct open_tool_item {
  std::string id;
  std::string tool;     // the events' tool name ("exec_command", ...)
  std::string subject;  // the command, or the file paths: for approval notes
  std::string streamed;  // commandExecution: the output deltas so far (at most max_streamed_output)
};

inline constexpr std::size_t max_streamed_output = 1024 * 1024;

using note_fields = std::vector<std::pair<std::string, std::string>>;

struct session::impl {
  explicit impl(session_config config) : config_(std::move(config)) {}

  // session.cpp: the public entry points.
  void start();
  void on_line(std::string_view line);
  void on_overlong_line(std::size_t length);
  void on_exit(const exit_status& how);
  void interrupt(std::string reason);

  // session.cpp: correlation and the handshake.
  void dispatch(const wire::message& msg);
  void on_response(const wire::message& msg);
  void on_request_succeeded(request_kind kind, const wire::json& result);
  void on_request_failed(request_kind kind, const wire::json& error);
  void on_account(const wire::json& result);
  void open_thread(bool resume);
  void on_thread_opened(request_kind kind, const wire::json& result);
  void start_turn();
  void on_turn_started(const wire::json& result);
  void send_request(request_kind kind, std::string_view method, wire::json params);
  void finish(outcome::status status, std::string error);
  // Codex answered outside the protocol: fail now, naming its version and
  // what was unexpected, rather than wait for a reply that will not come.
  void deviate(const std::string& what);
  void on_initialized(const wire::json& result);
  void report_bad_line(std::string_view line, bool is_json, const std::string& problem);
  void note(log_note::level severity, std::string message, note_fields fields = {});
  void emit(event e);

  // sandbox_check.cpp: false when the turn must not start (already finished).
  bool accept_sandbox(const wire::json& effective);

  // notifications.cpp
  void on_notification(const std::string& method, const wire::json& params);
  bool names_other_turn(const wire::json& params) const;
  void on_config_warning(const wire::json& params);
  void on_error_notification(const wire::json& params);
  void add_usage(const wire::json& params);
  void on_turn_completed(const wire::json& params);

  // event_mapping.cpp
  void on_item_started(const wire::json& item);
  void on_item_completed(const wire::json& item);
  void abandon_open_items();
  void on_output_delta(const wire::json& params);
  const open_tool_item* find_open_item(const std::string& id) const;

  // activity.cpp: what the watchdogs see of one message, handled or not.
  void record_activity(const wire::message& msg, state before);

  // approvals.cpp
  void on_server_request(const wire::json& id, const std::string& method, const wire::json& params);
  void answer_approval(const wire::json& id, const std::string& method, const wire::json& params);
  note_fields approval_fields(const std::string& method, const wire::json& params) const;

  // Constant after construction.
  const session_config config_;

  // Progress through the state machine.
  state state_ = state::created;
  outcome outcome_;
  std::int64_t next_request_id_ = 1;  // Codex numbers its own requests from 0, separately
  std::map<std::int64_t, request_kind> pending_;
  std::string codex_version_ = config_.codex_version;  // or from initialize's userAgent
  std::string model_;    // the thread's model: the key for usage
  std::string turn_id_;  // from the turn/start result; empty until then
  wire::json last_total_;  // the last tokenUsage.total counted: a repeat of it is not new usage
  bool interrupt_sent_ = false;
  std::string interrupt_reason_;

  // This turn's items.
  std::vector<open_tool_item> open_items_;  // in start order
  std::vector<std::string> answers_;        // agentMessage texts, in order

  // Produced by every call, drained by take_*().
  std::vector<std::string> lines_;
  std::vector<event> events_;
  std::vector<activity> activity_;
  std::vector<log_note> notes_;
};

}  // namespace multicad::proto::codex
