// One Codex app-server conversation, sans I/O (spec/codex-app-server.md):
// the JSON-RPC framing (newline-delimited, no "jsonrpc" member), request/
// response correlation, the handshake, thread start or resume, one turn,
// approvals, and the mapping of notifications to the events the daemon
// forwards to the server. Lines in, lines/events/notes out; no clocks, no
// sockets, no processes. Single-threaded: call from the task's executor.
//
// States and transitions:
//   created --start()--> initializing --initialize result, account/read--> opening_thread
//   initializing --account/read: OpenAI auth needed and no account--> finished (failed)
//   opening_thread --thread/resume error--> opening_thread (thread/start, once)
//   opening_thread --thread result, sandbox not looser--> starting_turn
//   starting_turn --turn/start result--> in_turn --turn/completed--> finished
//   any --error reply, invalid config, looser sandbox, exit, interrupt--> finished
//   any --a reply or turn/completed outside the protocol--> finished (protocol_error,
//          "codex 0.x.y: <what was unexpected>; supported: <minimum>–<newest tested>")
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/codex/activity.hpp"
#include "proto/exit_status.hpp"
#include "proto/log_note.hpp"

namespace multicad::proto::codex {

// The sandbox the daemon wrote into the task's config.toml (the managed block).
struct sandbox_intent {
  std::string mode = "workspace-write";  // read-only | workspace-write | danger-full-access
  bool network_access = true;            // meaningful for workspace-write
  std::string config_path;               // reported in the WARN on a mismatch
};

enum class approvals { never, auto_accept };

struct session_config {
  std::string client_name = "multicad";
  std::string client_version = "0";
  // The Codex release ("0.140.0"; empty: unknown, then read from initialize's
  // userAgent). Named in every protocol-deviation reason, and it decides
  // which optional parameters are sent (proto/codex/releases.hpp).
  std::string codex_version;
  std::string cwd;     // absolute task workdir
  std::string model;   // empty: Codex's default
  // The agent's settings (spec agent-toolbox.md §11.4), already checked with
  // check_turn_settings (proto/codex/turn_settings.hpp); empty: not sent.
  std::string reasoning_effort;  // thread config.model_reasoning_effort, turn/start effort
  std::string service_tier;      // serviceTier of thread/start|resume and turn/start
  std::string prompt;  // the turn's user text
  std::string developer_instructions;  // optional
  std::string resume_thread_id;        // the task's prior session id; empty: new thread
  sandbox_intent sandbox;
  approvals approval_mode = approvals::never;
  // Variables for the commands Codex runs (shell_environment_policy.set, sent
  // as thread/start and thread/resume config overrides): they never reach the
  // Codex process itself. Requires: names are portable ([A-Za-z_][A-Za-z0-9_]*).
  std::map<std::string, std::string> command_env;
};

// What the daemon forwards to the server as task messages.
struct event {
  enum class kind { text, thinking, tool_use, tool_result, error };
  kind type = kind::text;
  std::string tool;        // tool_use, tool_result: "exec_command", "apply_patch", ...
  std::string call_id;     // tool_use, tool_result: Codex's item id
  std::string content;     // text, thinking, error
  std::string input_json;  // tool_use: a JSON object as text
  std::string output;      // tool_result (uncapped; the daemon caps what it sends)
  bool operator==(const event&) const = default;
};

// What the daemon logs (never sent to the server).
using proto::log_note;

struct model_usage {
  std::string model;
  std::int64_t input_tokens = 0;  // cached included, as Codex counts
  std::int64_t cached_input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t reasoning_output_tokens = 0;
  bool operator==(const model_usage&) const = default;
};

struct outcome {
  enum class status {
    completed,          // the turn completed with a non-empty answer
    failed,             // Codex failed the turn, or answered nothing
    interrupted,        // interrupt() was called (cancel, timeout, shutdown)
    sandbox_violation,  // Codex reported a looser sandbox than written
    protocol_error,     // a handshake request failed, or the config was invalid
    exited,             // the process ended before the turn finished
  };
  status result = status::failed;
  std::string final_output;  // the agent's messages of this turn, in order, joined by "\n\n"
  std::string error;         // Codex's own error text where it gave one; ours otherwise
  std::string thread_id;     // to report as the task's session_id
  bool resumed = false;      // thread/resume of resume_thread_id succeeded
  std::vector<model_usage> usage;  // this turn only (sum of `last`), one entry per model
};

class session {
 public:
  enum class state { created, initializing, opening_thread, starting_turn, in_turn, finished };

  explicit session(session_config config);

  // Queues `initialize` (then `initialized` once it is answered).
  void start();
  // One stdout line from Codex, without its newline.
  void on_line(std::string_view line);
  // Codex wrote a line longer than the daemon's cap; it was dropped unread.
  void on_overlong_line(std::size_t length);
  // stdout reached EOF / the process exited. Finishes with `exited` unless already
  // finished, or with `interrupted` (and interrupt()'s reason) when a turn/interrupt
  // was sent and Codex died before confirming it.
  void on_exit(const exit_status& how);
  // Stop the turn: sends turn/interrupt when a turn runs (the session finishes
  // when Codex confirms with turn/completed), otherwise finishes at once.
  // `reason` ends up in outcome::error ("cancelled by the server", "timed out after 2h0m0s").
  void interrupt(std::string reason);

  // Drain after every call above.
  std::vector<std::string> take_lines();  // to write to Codex's stdin; each ends with '\n'
  std::vector<event> take_events();
  std::vector<activity> take_activity();  // signs of life during the turn (activity.hpp)
  std::vector<log_note> take_notes();

  state current_state() const;
  bool finished() const { return current_state() == state::finished; }
  // Requires: finished().
  const outcome& result() const;

 private:
  // All state lives behind the pointer so the session stays cheap to move
  // and nlohmann/json stays out of this header (proto/codex/session_impl.hpp).
  struct impl;
  struct impl_deleter { void operator()(impl*) const; };
  std::unique_ptr<impl, impl_deleter> impl_;
};

}  // namespace multicad::proto::codex
