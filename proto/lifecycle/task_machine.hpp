// One task's life, from claim to its final report, sans I/O: inputs say
// what happened (the start answer, the environment, the agent's end, the
// assigner's view of the task, a timer, shutdown), outputs are commands for
// the daemon to carry out (daemon/core/task_runner.cpp) and log notes. No
// clock: arming a timer is a command and its expiry an input, so every
// transition is testable with a fake clock. Single-threaded.
//
// States and transitions (inputs -> commands):
//   claimed   --begin-->          starting   ask_start; prepare (not for a refused task)
//   starting  --prepared, start pending-->   booting    spawn held (Codex boots, is sent nothing)
//   starting  --prepared, started-->         running    spawn; progress 1/2
//   booting   --started-->        running    release; progress 1/2
//   booting   --start refused/failed-->      stopping   stop the agent, which never got a turn
//   booting, running --cancelled | gone | failed elsewhere | timeout | shutdown--> stopping  stop the agent
//   booting, running, stopping --agent ended--> ending  last flush; timers off
//   starting  --refused task, preparation failed, start refused/failed, shutdown-->
//             ending once the start answer and the preparation are both in (nothing is spawned)
//   ending    --the start answer in--> done  (Codex ended on its own: progress 2/2 first)
//   done: the report (final_report.hpp decides it), GC metadata when a folder
//         was prepared, then `finished` with how the task ended.
//   any state --internal_error--> as a stop with that reason: a failed report
//         once what is running has ended (at once in claimed and ending);
//         the first reason to stop decides the report.
// Shutdown before begin() is remembered: begin() still asks to start and
// prepares, then ends the task with the shutdown reason, spawning nothing.
// While the agent runs: poll the assigner every status_poll (the answer
// re-arms it), flush messages on the leading edge (the first event after a
// quiet spell at once, then at most one flush per flush_interval), stop
// the agent at agent_timeout (0: never), and stop it when a liveness
// watchdog expires (watchdog.hpp: Codex silent, not progressing, or not
// starting anything): activity() feeds them, each is a timer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proto/codex/session.hpp"
#include "proto/exit_status.hpp"
#include "proto/lifecycle/final_report.hpp"
#include "proto/lifecycle/watchdog.hpp"
#include "proto/log_note.hpp"

namespace multicad::proto::lifecycle {

// idle, progress and first_item are the watchdog's watches, in watch's order.
enum class timer { status_poll, flush, timeout, idle, progress, first_item };
constexpr std::size_t timer_count = 6;

// The commands, in the order they are to be carried out. Commands that ask
// something (ask_start, prepare, spawn_agent, poll_remote, arm_timer) are
// answered by the matching input later.
namespace cmd {
struct ask_start {};                              // dispatched -> running; answer: started()
struct prepare {};                                // folder, config, checkout; answer: prepared()
struct spawn_agent { bool held = false; };        // held: send nothing until release; answer: agent_ended()
struct release_agent {};
struct stop_agent { std::string reason; };        // idempotent; the agent's own ladder escalates
struct poll_remote {};                            // answer: remote_answer(...)
struct arm_timer { timer which; std::chrono::milliseconds after{0}; };  // replaces an armed one
struct cancel_timer { timer which; };
struct flush_messages {};                         // send what the batcher holds, if anything
struct send_progress { std::string summary; int step = 0, total = 0; };  // informative; not answered
struct post_report { final_report report; };     // usage, then complete | fail | forget
struct write_gc_meta {};
struct finished { task_end end; };
}  // namespace cmd

using command = std::variant<cmd::ask_start, cmd::prepare, cmd::spawn_agent, cmd::release_agent, cmd::stop_agent,
                             cmd::poll_remote, cmd::arm_timer, cmd::cancel_timer, cmd::flush_messages,
                             cmd::send_progress, cmd::post_report, cmd::write_gc_meta, cmd::finished>;

struct task_limits {
  std::string provider = "codex";  // in messages: "Launching codex"
  std::chrono::milliseconds agent_timeout{std::chrono::hours(2)};  // 0: no hard cap
  std::string timeout_message = "codex timed out after 2h0m0s";  // the failure when agent_timeout passes
  std::string cancel_reason = "cancelled by the server";        // who cancels, for the log and the agent
  std::chrono::milliseconds status_poll{std::chrono::seconds(5)};
  std::chrono::milliseconds flush_interval{500};
  watchdog_limits watchdogs;
};

class task_machine {
 public:
  enum class state { claimed, starting, booting, running, stopping, ending, done };

  explicit task_machine(task_limits limits);

  // The task is refused before anything is prepared or spawned when `refusal`
  // is set (a malformed id could name paths it should not; unsafe agent
  // settings could make Codex run code outside its sandbox).
  void begin(std::optional<refusal> refused = std::nullopt);
  void started(std::optional<start_failure> failure);  // the answer to ask_start
  void prepared();                                     // the folder is ready
  void preparation_failed(preparation_failure failure);
  void agent_ended(agent_end end);
  void remote_answer(remote_state state);
  void timer_fired(timer which);
  void event_added();  // the agent produced an event for the batcher
  void activity(const codex::activity& a);  // a sign of life during the turn, for the watchdogs
  void shutdown(std::string reason);
  // Something in the daemon broke while the task ran (an exception in its
  // shell): stop the agent and fail the task with `what`, never end silently.
  void internal_error(std::string what);

  std::vector<command> take_commands();
  std::vector<log_note> take_notes();

  state current_state() const { return state_; }
  bool done() const { return state_ == state::done; }
  // The running watches, for `multicad status` (their deadlines are the shell's timers).
  const watchdog& watchdogs() const { return watchdog_; }

 private:
  enum class progress { pending, ok, failed };
  void advance();
  void spawn();
  void begin_stop(stop_cause cause, std::string reason);
  void end_agent_phase();
  void conclude();
  void flush_now();
  void apply(const std::vector<watch_change>& changes);
  void watchdog_expired(watch which);
  void emit(command c) { commands_.push_back(std::move(c)); }

  task_limits limits_;
  state state_ = state::claimed;
  std::vector<command> commands_;
  std::vector<log_note> notes_;
  ending_facts facts_;          // what the final report is decided from
  progress start_ = progress::pending;
  progress environment_ = progress::pending;
  bool stop_sent_ = false;
  bool messages_pending_ = false, flush_armed_ = false;
  watchdog watchdog_;
  bool turn_over_ = false;  // the turn ended on its own; Codex is only exiting
};

}  // namespace multicad::proto::lifecycle
