// The session's entry points, request/response correlation and the
// handshake: initialize -> initialized -> thread/start|resume -> turn/start.
// The turn itself is handled in notifications.cpp and event_mapping.cpp.
#include "proto/codex/session.hpp"

#include "proto/codex/releases.hpp"
#include "proto/codex/session_impl.hpp"

namespace multicad::proto::codex {
using wire::json;

namespace {

// Notifications the daemon never reads: per-connection noise (spec §2.1,
// §4.9), and the answer's per-token deltas, which item/completed repeats in
// full. Command output and reasoning deltas do come: they are how the
// watchdogs see a long command or a long thought is alive (activity.cpp),
// and Codex 0.120 sometimes sends a command's item/completed without its
// output, or none at all, so its output deltas are kept too.
const char* const opted_out_notifications[] = {
    "item/agentMessage/delta",
    "account/rateLimits/updated",
    "remoteControl/status/changed",
};

const char* method_of(request_kind kind) {
  switch (kind) {
    case request_kind::initialize: return "initialize";
    case request_kind::account_read: return "account/read";
    case request_kind::thread_start: return "thread/start";
    case request_kind::thread_resume: return "thread/resume";
    case request_kind::turn_start: return "turn/start";
    case request_kind::turn_interrupt: return "turn/interrupt";
  }
  return "?";
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace

// ---- session: a thin shell over impl ----

session::session(session_config config) : impl_(new impl(std::move(config))) {}
void session::impl_deleter::operator()(impl* p) const { delete p; }

void session::start() { impl_->start(); }
void session::on_line(std::string_view line) { impl_->on_line(line); }
void session::on_overlong_line(std::size_t length) { impl_->on_overlong_line(length); }
void session::on_exit(const exit_status& how) { impl_->on_exit(how); }
void session::interrupt(std::string reason) { impl_->interrupt(std::move(reason)); }

std::vector<std::string> session::take_lines() { return std::exchange(impl_->lines_, {}); }
std::vector<event> session::take_events() { return std::exchange(impl_->events_, {}); }
std::vector<activity> session::take_activity() { return std::exchange(impl_->activity_, {}); }
std::vector<log_note> session::take_notes() { return std::exchange(impl_->notes_, {}); }

session::state session::current_state() const { return impl_->state_; }
const outcome& session::result() const { return impl_->outcome_; }

// ---- entry points ----

void session::impl::start() {
  if (state_ != state::created) return;  // a second start() would re-initialize: Codex refuses that
  json opt_out = json::array();
  for (const char* m : opted_out_notifications) opt_out.push_back(m);
  send_request(request_kind::initialize, "initialize",
               {{"clientInfo", {{"name", config_.client_name}, {"title", "Multica"}, {"version", config_.client_version}}},
                {"capabilities", {{"experimentalApi", false}, {"optOutNotificationMethods", std::move(opt_out)}}}});
  state_ = state::initializing;
}

void session::impl::on_line(std::string_view line) {
  // Once the outcome is settled nothing Codex says can change it, and late
  // lines are normal (serverRequest/resolved follows turn/completed).
  if (state_ == state::finished) return;
  auto parsed = wire::parse_line(line);
  if (!parsed.msg) return report_bad_line(line, parsed.is_json, parsed.problem);
  std::string problem;
  try {
    const state before = state_;
    dispatch(*parsed.msg);
    record_activity(*parsed.msg, before);
    return;
  } catch (const wire::malformed_message& e) {
    problem = e.problem;
  } catch (const std::exception& e) {
    // Nothing Codex writes may throw out of the session (nlohmann included).
    problem = e.what();
  }
  // The end of our turn must be readable: skipping it would leave the task
  // waiting for one that never comes.
  if (parsed.msg->method == "turn/completed" && state_ == state::in_turn)
    return deviate("turn/completed in a shape multicad cannot read (" + problem + ")");
  report_bad_line(line, true, problem);
}

void session::impl::on_overlong_line(std::size_t length) {
  if (state_ == state::finished) return;
  auto size = std::to_string(length);
  emit({.type = event::kind::error, .content = "codex wrote a line of " + size + " bytes; it was dropped unread"});
  note(log_note::level::warn, "codex wrote a line longer than the limit; it was dropped",
       {{"length", size}, {"hint", "if a turn then stalls, the dropped line was a reply it waited for"}});
}

void session::impl::on_exit(const exit_status& how) {
  if (state_ == state::finished) return;
  abandon_open_items();
  if (interrupt_sent_) {
    // The daemon asked for the stop; Codex dying before confirming it does
    // not change why the turn ended.
    note(log_note::level::info, "codex exited before confirming the interrupt");
    return finish(outcome::status::interrupted, interrupt_reason_);
  }
  std::string what = how.signal ? "codex was " + how.reason
                     : how.code  ? "codex exited (status " + std::to_string(*how.code) + ")"
                                 : std::string("codex exited (status unknown)");
  std::string when = state_ == state::in_turn ? "before the turn finished" : "before it started";
  finish(outcome::status::exited, what + " " + when);
}

void session::impl::interrupt(std::string reason) {
  if (state_ == state::finished) return;
  if (state_ != state::in_turn) return finish(outcome::status::interrupted, std::move(reason));
  // Once: a second interrupt would only earn "no active turn to interrupt".
  if (interrupt_sent_) return;
  interrupt_sent_ = true;
  interrupt_reason_ = std::move(reason);
  send_request(request_kind::turn_interrupt, "turn/interrupt", {{"threadId", outcome_.thread_id}, {"turnId", turn_id_}});
}

// ---- correlation ----

void session::impl::dispatch(const wire::message& msg) {
  switch (msg.type) {
    case wire::message::kind::request: return on_server_request(msg.id, msg.method, msg.params);
    case wire::message::kind::notification: return on_notification(msg.method, msg.params);
    case wire::message::kind::response: return on_response(msg);
  }
}

void session::impl::on_response(const wire::message& msg) {
  auto it = msg.id.is_number_integer() ? pending_.find(msg.id.get<std::int64_t>()) : pending_.end();
  if (it == pending_.end()) {
    return note(log_note::level::debug, "codex replied to a request multicad did not send", {{"id", wire::dump(msg.id)}});
  }
  request_kind kind = it->second;
  pending_.erase(it);
  try {
    if (!msg.error.is_null()) return on_request_failed(kind, msg.error);
    on_request_succeeded(kind, msg.result);
  } catch (const wire::malformed_message& e) {
    // The state machine waits for exactly this reply: an unreadable one ends
    // the session rather than leaving it waiting for the daemon's timeout.
    deviate(std::string(method_of(kind)) + " answered in a shape multicad cannot read (" + e.problem + ")");
  }
}

void session::impl::on_request_succeeded(request_kind kind, const json& result) {
  switch (kind) {
    case request_kind::initialize: return on_initialized(result);
    case request_kind::account_read: return on_account(result);
    case request_kind::thread_start:
    case request_kind::thread_resume: return on_thread_opened(kind, result);
    case request_kind::turn_start: return on_turn_started(result);
    case request_kind::turn_interrupt: return;  // turn/completed "interrupted" follows (spec §2.6)
  }
}

void session::impl::on_request_failed(request_kind kind, const json& error) {
  // Read leniently: an odd error object is still an error, and the resume
  // fallback must happen whatever its shape.
  auto message_it = error.find("message");
  std::string message = message_it != error.end() && message_it->is_string() ? message_it->get<std::string>() : "";
  auto code_it = error.find("code");
  std::string code = code_it != error.end() ? wire::dump(*code_it) : "none";
  if (message.empty()) {
    message = std::string("codex answered ") + method_of(kind) + " with an error and no message: " + wire::dump(error);
  }
  if (kind == request_kind::thread_resume) {
    // Any failure (no rollout, bad id, another CODEX_HOME) costs only the
    // earlier context; a new thread with the same settings still does the task.
    note(log_note::level::info, "codex thread/resume failed; starting a new thread",
         {{"thread_id", config_.resume_thread_id}, {"reason", message}});
    return open_thread(false);
  }
  if (kind == request_kind::account_read) {
    // An older Codex without account/read: the turn will say if it cannot authenticate.
    note(log_note::level::debug, "codex account/read failed; going on without the credentials check", {{"reason", message}});
    return open_thread(!config_.resume_thread_id.empty());
  }
  if (kind == request_kind::turn_interrupt) {
    // "no active turn to interrupt": no turn/completed will come to wait for.
    note(log_note::level::info, "codex refused turn/interrupt; the turn is over", {{"reason", message}});
    abandon_open_items();
    return finish(outcome::status::interrupted, interrupt_reason_);
  }
  // A required method this Codex does not know (serde's "unknown variant",
  // JSON-RPC's -32601): a release outside the supported range.
  if (message.find(std::string("unknown variant `") + method_of(kind) + "`") != std::string::npos || code == "-32601")
    return deviate(std::string(method_of(kind)) + " is unknown to it (" + message + ")");
  note(log_note::level::info, std::string("codex rejected ") + method_of(kind),
       {{"code", code}, {"message", message}});
  finish(outcome::status::protocol_error, std::move(message));
}

// ---- the handshake ----

void session::impl::on_initialized(const json& result) {
  // userAgent is the one field every release answers (spec §2.7):
  // "<client>/0.171.0 (Debian 12...)".
  std::string agent = wire::text_at(result.is_object() ? result : json::object(), "userAgent", "result");
  if (!result.is_object() || agent.empty()) return deviate("initialize answered without userAgent");
  if (codex_version_.empty()) {
    auto slash = agent.find('/');
    auto end = agent.find(' ', slash);
    if (slash != std::string::npos && parse_release(agent.substr(slash + 1, end - slash - 1)))
      codex_version_ = agent.substr(slash + 1, end - slash - 1);
  }
  // Sent at once: thread/started only flows after it (spec §2.1).
  lines_.push_back(wire::notification_line("initialized"));
  // Ask for the account first: without credentials a turn would only
  // fail after retrying the model provider, with a vaguer message.
  send_request(request_kind::account_read, "account/read", json::object());
}

void session::impl::on_account(const json& result) {
  bool needs_openai = result.is_object() && result.value("requiresOpenaiAuth", false);
  bool has_account = result.is_object() && result.contains("account") && !result["account"].is_null();
  if (needs_openai && !has_account) {
    return finish(outcome::status::failed,
                  "codex has no credentials: it is not logged in to OpenAI (no ChatGPT login or API key in its "
                  "auth.json) and config.toml names no other model provider; run `codex login` as the daemon's user, "
                  "or configure a model provider in ~/.codex/config.toml");
  }
  open_thread(!config_.resume_thread_id.empty());
}

void session::impl::open_thread(bool resume) {
  // Explicit sandbox and approval policy in every request: a repository's
  // .codex/config.toml would otherwise decide them (spec §0 rule 6).
  json params{{"cwd", config_.cwd},
              {"sandbox", config_.sandbox.mode},
              {"approvalPolicy", config_.approval_mode == approvals::never ? "never" : "on-request"}};
  json overrides = json::object();
  if (config_.sandbox.mode == "workspace-write")
    overrides["sandbox_workspace_write"] = {{"network_access", config_.sandbox.network_access}};
  // One dotted key per variable: it adds to the user's own `set` table
  // instead of replacing it, and `set` applies after Codex's default
  // excludes (*KEY*, *TOKEN*, ...), so a GITHUB_TOKEN the agent was given arrives.
  for (const auto& [name, value] : config_.command_env) overrides["shell_environment_policy.set." + name] = value;
  if (!config_.reasoning_effort.empty()) overrides["model_reasoning_effort"] = config_.reasoning_effort;
  if (!config_.service_tier.empty()) params["serviceTier"] = config_.service_tier;
  if (!overrides.empty()) params["config"] = std::move(overrides);
  if (!config_.model.empty()) params["model"] = config_.model;
  if (!config_.developer_instructions.empty()) params["developerInstructions"] = config_.developer_instructions;
  state_ = state::opening_thread;
  if (!resume) return send_request(request_kind::thread_start, "thread/start", std::move(params));
  params["threadId"] = config_.resume_thread_id;
  send_request(request_kind::thread_resume, "thread/resume", std::move(params));
}

void session::impl::on_thread_opened(request_kind kind, const json& result) {
  if (!result.is_object()) return deviate(std::string(method_of(kind)) + " answered with something other than an object");
  const json& thread = wire::object_at(result, "thread", "result");
  std::string id = wire::text_at(thread, "id", "result.thread");
  if (id.empty()) return deviate(std::string(method_of(kind)) + " answered without thread.id");
  outcome_.thread_id = id;
  outcome_.resumed = kind == request_kind::thread_resume;
  model_ = wire::text_at(result, "model", "result");
  if (model_.empty()) model_ = wire::text_at(thread, "model", "result.thread");
  if (model_.empty()) model_ = config_.model;
  static const json none;
  const json& sandbox = result.is_object() && result.contains("sandbox") ? result["sandbox"] : none;
  if (!accept_sandbox(sandbox)) return;
  start_turn();
}

void session::impl::start_turn() {
  json text{{"type", "text"}, {"text", config_.prompt}};
  json params{{"threadId", outcome_.thread_id}, {"input", json::array({std::move(text)})}};
  if (!config_.reasoning_effort.empty()) params["effort"] = config_.reasoning_effort;
  if (!config_.service_tier.empty()) params["serviceTier"] = config_.service_tier;
  send_request(request_kind::turn_start, "turn/start", std::move(params));
  state_ = state::starting_turn;
}

void session::impl::on_turn_started(const json& result) {
  // The reply precedes turn/started (spec §2.5), so the id comes from here.
  turn_id_ = wire::text_at(wire::object_at(result, "turn", "result"), "id", "result.turn");
  if (turn_id_.empty()) return deviate("turn/start answered without turn.id");
  state_ = state::in_turn;
}

// ---- plumbing ----

void session::impl::send_request(request_kind kind, std::string_view method, json params) {
  std::int64_t id = next_request_id_++;
  pending_[id] = kind;
  lines_.push_back(wire::request_line(id, method, std::move(params)));
}

void session::impl::finish(outcome::status status, std::string error) {
  // Whatever ended the session, every tool_use gets its tool_result.
  abandon_open_items();
  outcome_.result = status;
  outcome_.error = std::move(error);
  outcome_.final_output = join(answers_, "\n\n");
  state_ = state::finished;
  pending_.clear();
}

void session::impl::deviate(const std::string& what) {
  std::string version = codex_version_.empty() ? "(version unknown)" : codex_version_;
  std::string reason = "codex " + version + ": " + what + "; " + supported_range();
  note(log_note::level::warn, "codex answered outside the protocol; the task fails",
       {{"codex_version", version}, {"what", what}, {"supported", supported_range().substr(11)},
        {"hint", "use a Codex release in the supported range (docs/codex-compatibility.md)"}});
  finish(outcome::status::protocol_error, std::move(reason));
}

void session::impl::report_bad_line(std::string_view line, bool is_json, const std::string& problem) {
  std::string start = wire::printable_prefix(line, 200);
  if (!is_json) {
    emit({.type = event::kind::error, .content = "codex wrote a line that is not JSON: " + start});
    return note(log_note::level::warn, "codex wrote a line that is not JSON; it was skipped",
                {{"line", start}, {"hint", "stdout must carry only protocol JSON; check the Codex version"}});
  }
  emit({.type = event::kind::error,
        .content = "codex wrote a line that is not a JSON-RPC message multicad can read (" + problem + "): " + start});
  note(log_note::level::warn, "codex wrote a malformed JSON-RPC message; it was skipped",
       {{"problem", problem}, {"line", start}, {"hint", "check that this Codex version is one multicad supports"}});
}

void session::impl::note(log_note::level severity, std::string message, note_fields fields) {
  notes_.push_back({severity, std::move(message), std::move(fields)});
}

void session::impl::emit(event e) { events_.push_back(std::move(e)); }

}  // namespace multicad::proto::codex
