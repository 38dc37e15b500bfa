// DESIGN: one timer at a time per phase; every phase is left on an input
// (the process exited, the session finished) or on its timer, never on a
// guess. Entering a phase does its action at once, so a phase whose wait is
// already over (the process exited earlier) is passed through in one step.
#include "proto/lifecycle/agent_machine.hpp"

#include <utility>

namespace multicad::proto::lifecycle {
using namespace agent_cmd;

agent_machine::agent_machine(agent_limits limits) : limits_(std::move(limits)) {}

void agent_machine::spawned(bool held) {
  if (state_ != state::created) return;
  emit(arm_timer{timer::start_limit, limits_.start_limit});
  if (held && !released_early_) {
    state_ = state::held;
  } else {
    state_ = state::starting;
    emit(start_session{});
  }
  if (stop_requested_) interrupt(stop_reason_);  // stop() came before the process did
}

void agent_machine::release() {
  if (state_ == state::created) released_early_ = true;  // the go-ahead came before the process
  if (state_ != state::held) return;
  state_ = state::starting;
  emit(start_session{});
}

void agent_machine::stop(std::string reason) {
  if (stop_requested_) return;
  stop_requested_ = true;
  stop_reason_ = std::move(reason);
  if (state_ == state::closing && in_turn_end_grace_) {
    // A stop (shutdown, cancel) does not wait out the Stop hooks' grace:
    // the usual step, then SIGTERM, so the daemon's stop budget holds.
    in_turn_end_grace_ = false;
    emit(arm_timer{timer::step, limits_.step_grace});
    return;
  }
  interrupt(stop_reason_);
}

void agent_machine::turn_started() {
  if (state_ != state::starting) return;
  state_ = state::in_turn;
  emit(cancel_timer{timer::start_limit});
}

void agent_machine::session_finished() {
  if (state_ == state::held || state_ == state::starting || state_ == state::in_turn || state_ == state::interrupting)
    enter_closing(!stop_requested_);  // ended on its own: its Stop hooks may still run
}

void agent_machine::stdout_closed() {
  // Codex closed its side: it is exiting, no hook is left to wait for.
  if (state_ == state::held || state_ == state::starting || state_ == state::in_turn || state_ == state::interrupting)
    enter_closing(false);
}

void agent_machine::exited() {
  if (exited_) return;
  exited_ = true;
  switch (state_) {
    case state::held:
    case state::starting:
    case state::in_turn:
    case state::interrupting: enter_closing(false); break;
    case state::closing:
    case state::terminating:
      emit(cancel_timer{timer::step});
      enter_reaping();
      break;
    case state::reaping: enter_draining(); break;
    default: break;
  }
}

void agent_machine::streams_closed() {
  if (streams_closed_) return;
  streams_closed_ = true;
  if (state_ != state::draining) return;
  emit(cancel_timer{timer::step});
  emit(close_pipes{});
  emit(finished{});
  state_ = state::done;
}

void agent_machine::timer_fired(timer which) {
  if (which == timer::start_limit && (state_ == state::held || state_ == state::starting)) {
    stop_requested_ = true;
    stop_reason_ = limits_.provider + " did not start a turn within " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limits_.start_limit).count()) + "s";
    interrupt(stop_reason_);
  } else if (which == timer::interrupt_grace && state_ == state::interrupting) {
    enter_closing(false);
  } else if (which == timer::step && state_ == state::closing) {
    state_ = state::terminating;
    emit(terminate_group{});
    emit(arm_timer{timer::step, limits_.step_grace});
  } else if (which == timer::step && state_ == state::terminating) {
    enter_reaping();
  } else if (which == timer::step && state_ == state::draining) {
    emit(close_pipes{});
    emit(finished{});
    state_ = state::done;
  }
}

std::vector<agent_command> agent_machine::take_commands() { return std::exchange(commands_, {}); }

// ---- phases ----

void agent_machine::interrupt(std::string reason) {
  switch (state_) {
    case state::held:
      // Nothing was sent to Codex: the session ends unstarted, with the reason.
      emit(interrupt_session{std::move(reason)});
      enter_closing(false);
      break;
    case state::starting:
    case state::in_turn:
      state_ = state::interrupting;
      emit(cancel_timer{timer::start_limit});
      emit(interrupt_session{std::move(reason)});
      emit(arm_timer{timer::interrupt_grace, limits_.interrupt_grace});
      break;
    default: break;  // created: spawned() interrupts; later phases are stopping already
  }
}

void agent_machine::enter_closing(bool turn_end_grace) {
  emit(cancel_timer{timer::start_limit});
  emit(cancel_timer{timer::interrupt_grace});
  state_ = state::closing;
  emit(close_stdin{});
  if (exited_) return enter_reaping();
  in_turn_end_grace_ = turn_end_grace;
  emit(arm_timer{timer::step, turn_end_grace ? limits_.turn_end_grace : limits_.step_grace});
}

void agent_machine::enter_reaping() {
  // Always: grandchildren may hold the pipes, or have left the group with setsid.
  state_ = state::reaping;
  emit(kill_all{});
  if (exited_) enter_draining();
}

void agent_machine::enter_draining() {
  state_ = state::draining;
  if (streams_closed_) {
    emit(close_pipes{});
    emit(finished{});
    state_ = state::done;
    return;
  }
  emit(arm_timer{timer::step, limits_.step_grace});
}

}  // namespace multicad::proto::lifecycle
