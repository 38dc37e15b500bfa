// The agent process's life and its stop ladder, sans I/O: when to start the
// held session, how long Codex may take to start a turn, and how a stop
// escalates (interrupt the turn, close stdin, SIGTERM the process group,
// SIGKILL the group and every process marked with the task) until nothing
// of the task is left. daemon/agent/codex_run.cpp carries out the commands
// on the real process. No clock: timers are commands and inputs.
// Single-threaded.
//
// States and transitions (inputs -> commands):
//   held         --release-->          starting      start_session
//   starting     --turn_started-->     in_turn
//   starting     --start_limit fires-->  interrupting  interrupt "codex did not start a turn within 60s"
//   held         --start_limit fires-->  closing       (the limit is armed at spawn, so held time counts)
//   starting|in_turn --stop-->          interrupting  interrupt_session; arm interrupt_grace
//   held         --stop-->             closing       interrupt_session ends the session unstarted;
//                                                     no turn to interrupt
//   starting|in_turn|interrupting --session_finished | exited | stdout_closed--> closing
//   interrupting --interrupt_grace fires--> closing  (Codex ignored turn/interrupt)
//   closing      (on entry: close_stdin; arm step, or turn_end_grace when the
//                session ended without a stop: Codex's Stop hooks run now;
//                a stop during that grace re-arms step)
//                --exited--> reaping
//                --step fires-->        terminating   signal_group SIGTERM; arm step
//   terminating  --exited | step fires--> reaping
//   reaping      (on entry: kill_all: the group and marked strays)  --exited--> draining
//   draining     (on entry: arm step)   --streams_closed | step fires--> done  close_pipes; finished
// The process's exit is only awaited after SIGKILL, which cannot be ignored:
// reaping has no timer.
#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace multicad::proto::lifecycle {

namespace agent_cmd {
enum class timer { start_limit, interrupt_grace, step };
struct start_session {};
struct interrupt_session { std::string reason; };
struct close_stdin {};
struct terminate_group {};  // SIGTERM to the process group
struct kill_all {};         // SIGKILL to the group and every process marked with the task
struct arm_timer { timer which; std::chrono::milliseconds after{0}; };
struct cancel_timer { timer which; };
struct close_pipes {};      // stop reading: whatever still holds them is dead or detached
struct finished {};
}  // namespace agent_cmd

using agent_command = std::variant<agent_cmd::start_session, agent_cmd::interrupt_session, agent_cmd::close_stdin,
                                   agent_cmd::terminate_group, agent_cmd::kill_all, agent_cmd::arm_timer,
                                   agent_cmd::cancel_timer, agent_cmd::close_pipes, agent_cmd::finished>;

struct agent_limits {
  // Spawn to turn started. The first start after an install can take 20 s
  // (a 315 MB binary not yet in the page cache), so this is generous.
  std::chrono::milliseconds start_limit{std::chrono::seconds(60)};
  // How long an interrupted turn may take to end before stdin is closed.
  std::chrono::milliseconds interrupt_grace{std::chrono::seconds(5)};
  // Each later step (close stdin, SIGTERM, the pipes' EOF) waits this long.
  std::chrono::milliseconds step_grace{std::chrono::seconds(2)};
  // After a turn that ended without a stop (turn/completed, a fatal reply),
  // how long Codex may take to exit once its stdin is closed: its Stop hooks
  // run in this window. Then SIGTERM, as any stop. codex.turn_end_grace.
  std::chrono::milliseconds turn_end_grace{std::chrono::seconds(30)};
  std::string provider = "codex";
};

class agent_machine {
 public:
  enum class state { created, held, starting, in_turn, interrupting, closing, terminating, reaping, draining, done };

  explicit agent_machine(agent_limits limits);

  void spawned(bool held);   // the process runs; held: send nothing until release()
  void release();            // the assigner confirmed the start; idempotent; may come before spawned()
  void stop(std::string reason);  // idempotent; the first reason is the one Codex hears; may come before spawned()
  void turn_started();
  void session_finished();
  void stdout_closed();
  void exited();
  void streams_closed();     // stdout and stderr both reached EOF
  void timer_fired(agent_cmd::timer which);

  std::vector<agent_command> take_commands();

  state current_state() const { return state_; }
  bool done() const { return state_ == state::done; }
  // Why the run was stopped, if it was ("cancelled by the server", or the start limit's text).
  const std::string& stop_reason() const { return stop_reason_; }

 private:
  void interrupt(std::string reason);
  // Closes stdin and arms the step timer: turn_end_grace when Codex ended
  // its turn on its own (a stop cuts it short), else step_grace.
  void enter_closing(bool turn_end_grace);
  void enter_reaping();
  void enter_draining();
  void emit(agent_command c) { commands_.push_back(std::move(c)); }

  agent_limits limits_;
  state state_ = state::created;
  std::vector<agent_command> commands_;
  std::string stop_reason_;
  bool stop_requested_ = false;
  bool released_early_ = false;
  bool exited_ = false, streams_closed_ = false;
  bool in_turn_end_grace_ = false;  // closing, waiting out turn_end_grace (a stop cuts it short)
};

}  // namespace multicad::proto::lifecycle
