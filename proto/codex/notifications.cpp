// Notifications (spec §4): routing, config warnings, errors, token usage and
// the end of the turn. Items are mapped in event_mapping.cpp.
#include <limits>
#include <algorithm>

#include "proto/codex/session_impl.hpp"

namespace multicad::proto::codex {
using wire::json;

void session::impl::on_notification(const std::string& method, const json& params) {
  // Not tied to a turn: they arrive right after initialize (spec §4.7).
  if (method == "configWarning") return on_config_warning(params);
  if (method == "warning") {
    return note(log_note::level::debug, "codex warning", {{"message", wire::text_at(params, "message", "params")}});
  }
  // The rest only matters for our turn, which needs the turn/start reply
  // first; it precedes turn/started, so nothing of the turn is missed.
  if (state_ != state::in_turn || names_other_turn(params)) return;
  if (method == "error") return on_error_notification(params);
  if (method == "item/started") return on_item_started(wire::object_at(params, "item", "params"));
  if (method == "item/completed") return on_item_completed(wire::object_at(params, "item", "params"));
  if (method == "item/commandExecution/outputDelta") return on_output_delta(params);
  if (method == "thread/tokenUsage/updated") return add_usage(params);
  if (method == "turn/completed") return on_turn_completed(params);
  // Status changes, diffs, serverRequest/resolved and the 80-odd other
  // methods carry nothing the daemon forwards.
}

// A missing id counts as ours: only an explicit other thread or turn (a
// queued turn, a sub-agent thread) is someone else's.
bool session::impl::names_other_turn(const json& params) const {
  std::string thread = wire::text_at(params, "threadId", "params");
  std::string turn = wire::text_at(params, "turnId", "params");
  return (!thread.empty() && thread != outcome_.thread_id) || (!turn.empty() && turn != turn_id_);
}

void session::impl::on_config_warning(const json& params) {
  std::string summary = wire::text_at(params, "summary", "params");
  std::string details = wire::text_at(params, "details", "params");
  // Codex keeps serving on defaults, but every thread/start will fail with
  // "failed to load configuration" (spec §0 rule 4): stop now, with the file
  // position Codex gave, instead of one step later with less detail.
  if (summary.starts_with("Invalid configuration")) {
    return finish(outcome::status::protocol_error,
                  "codex configuration is invalid: " + (details.empty() ? summary : details));
  }
  note_fields fields{{"summary", summary}};
  if (!details.empty()) fields.emplace_back("details", details);
  note(log_note::level::info, "codex config warning", std::move(fields));
}

void session::impl::on_error_notification(const json& params) {
  const json& error = wire::object_at(params, "error", "params");
  std::string message = wire::text_at(error, "message", "params.error");
  std::string details = wire::text_at(error, "additionalDetails", "params.error");
  // willRetry: a stream retry ("Reconnecting... 1/5") is progress, not an
  // error the server should show (spec §4.5).
  if (wire::bool_at(params, "willRetry", "params").value_or(false)) {
    note_fields fields{{"message", message}};
    if (!details.empty()) fields.emplace_back("details", details);
    return note(log_note::level::info, "codex is retrying the model request", std::move(fields));
  }
  if (message.empty()) message = "codex reported an error without a message";
  emit({.type = event::kind::error, .content = std::move(message)});
}

// Sums `last` (this response's usage): `total` runs over the whole thread,
// and a resumed thread carries its earlier turns in it (spec §4.4).
// Codex up to 0.120 repeats an update after a command ends with the same
// `total` and `last` (docs/codex-compatibility.md): an unchanged total means
// no new response, so it is not counted again.
void session::impl::add_usage(const json& params) {
  const json& usage = wire::object_at(params, "tokenUsage", "params");
  const json& last = wire::object_at(usage, "last", "params.tokenUsage");
  if (last.empty()) return;
  const json& total = wire::object_at(usage, "total", "params.tokenUsage");
  if (!total.empty()) {
    if (total == last_total_) return;
    last_total_ = total;
  }
  const char* path = "params.tokenUsage.last";
  std::int64_t input = wire::int_at(last, "inputTokens", path).value_or(0);
  std::int64_t cached = wire::int_at(last, "cachedInputTokens", path).value_or(0);
  std::int64_t output = wire::int_at(last, "outputTokens", path).value_or(0);
  std::int64_t reasoning = wire::int_at(last, "reasoningOutputTokens", path).value_or(0);
  auto& all = outcome_.usage;
  auto it = std::find_if(all.begin(), all.end(), [&](const model_usage& u) { return u.model == model_; });
  if (it == all.end()) it = all.insert(all.end(), model_usage{.model = model_});
  // Saturating: absurd counts from a broken peer must not overflow (UB).
  auto add = [](std::int64_t& sum, std::int64_t v) {
    if (v < 0) return;
    sum = v > std::numeric_limits<std::int64_t>::max() - sum ? std::numeric_limits<std::int64_t>::max() : sum + v;
  };
  add(it->input_tokens, input);
  add(it->cached_input_tokens, cached);
  add(it->output_tokens, output);
  add(it->reasoning_output_tokens, reasoning);
}

void session::impl::on_turn_completed(const json& params) {
  const json& turn = wire::object_at(params, "turn", "params");
  if (wire::text_at(turn, "id", "params.turn") != turn_id_) return;  // a turn queued by someone else
  std::string status = wire::text_at(turn, "status", "params.turn");
  std::string codex_error = wire::text_at(wire::object_at(turn, "error", "params.turn"), "message", "params.turn.error");
  abandon_open_items();
  if (status == "completed") {
    if (answers_.empty()) return finish(outcome::status::failed, "codex returned an empty answer");
    return finish(outcome::status::completed, {});
  }
  if (status == "failed") {
    return finish(outcome::status::failed, codex_error.empty() ? "codex failed the turn without a message" : codex_error);
  }
  if (status == "interrupted") {
    // Without our turn/interrupt, Codex stopped by itself (an approval
    // answered "cancel", a shutdown it received elsewhere).
    return finish(outcome::status::interrupted, interrupt_sent_ ? interrupt_reason_ : "interrupted by codex");
  }
  // "inProgress" is in the enum but cannot end a turn; anything else is a
  // status this daemon was not built for.
  deviate("turn/completed with an unknown status \"" + status + "\"");
}

}  // namespace multicad::proto::codex
