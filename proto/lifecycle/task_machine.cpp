// DESIGN: the inputs only record facts; advance() then moves the machine
// as far as the facts allow, so the order in which concurrent answers
// arrive (the start call, the preparation, the agent's end) never matters:
// the agent is spawned once the folder is ready and nothing stands in the
// way, released once the start is confirmed, stopped once anything asks,
// and the task ends once nothing it started is still out.
#include "proto/lifecycle/task_machine.hpp"

#include <utility>

namespace multicad::proto::lifecycle {

task_machine::task_machine(task_limits limits)
    : limits_(std::move(limits)), watchdog_(limits_.watchdogs, limits_.provider) {
  facts_.provider = limits_.provider;
}

void task_machine::begin(std::optional<refusal> refused) {
  if (state_ != state::claimed) return;
  state_ = state::starting;
  emit(cmd::ask_start{});
  if (refused) {
    facts_.refused = std::move(refused);
    environment_ = progress::failed;  // nothing to prepare
  } else {
    emit(cmd::prepare{});
  }
  advance();
}

void task_machine::started(std::optional<start_failure> failure) {
  if (start_ != progress::pending) return;
  start_ = failure ? progress::failed : progress::ok;
  facts_.start = std::move(failure);
  advance();
}

void task_machine::prepared() {
  if (environment_ != progress::pending) return;
  environment_ = progress::ok;
  facts_.prepared = true;
  advance();
}

void task_machine::preparation_failed(preparation_failure failure) {
  if (environment_ != progress::pending) return;
  environment_ = progress::failed;
  facts_.prepared = failure.folder_exists;
  facts_.preparation = std::move(failure);
  advance();
}

void task_machine::agent_ended(agent_end end) {
  if (state_ != state::booting && state_ != state::running && state_ != state::stopping) return;
  facts_.agent = std::move(end);
  end_agent_phase();
  advance();
}

void task_machine::remote_answer(remote_state answer) {
  if (state_ != state::booting && state_ != state::running) return;  // a late answer
  switch (answer) {
    case remote_state::cancelled: begin_stop(stop_cause::cancelled, limits_.cancel_reason); break;
    case remote_state::gone: begin_stop(stop_cause::gone, "the task no longer exists on the server"); break;
    case remote_state::failed_elsewhere: begin_stop(stop_cause::failed_elsewhere, "the server already failed the task"); break;
    case remote_state::running:
    case remote_state::unknown: emit(cmd::arm_timer{timer::status_poll, limits_.status_poll}); break;
  }
  advance();
}

void task_machine::timer_fired(timer which) {
  const bool agent_alive = state_ == state::booting || state_ == state::running || state_ == state::stopping;
  if (!agent_alive) return;
  switch (which) {
    case timer::status_poll:
      if (state_ != state::stopping) emit(cmd::poll_remote{});
      break;
    case timer::flush:
      flush_armed_ = false;
      if (messages_pending_) flush_now();
      break;
    case timer::timeout:
      begin_stop(stop_cause::timeout, limits_.timeout_message);
      break;
    case timer::idle: watchdog_expired(watch::idle); break;
    case timer::progress: watchdog_expired(watch::progress); break;
    case timer::first_item: watchdog_expired(watch::first_item); break;
  }
  advance();
}

void task_machine::event_added() {
  const bool agent_alive = state_ == state::booting || state_ == state::running || state_ == state::stopping;
  if (!agent_alive) return;
  messages_pending_ = true;
  if (!flush_armed_) flush_now();  // the leading edge: a lone event waits for nothing
}

void task_machine::activity(const codex::activity& a) {
  if (state_ != state::running) return;  // a stop is under way, or the agent is gone
  apply(watchdog_.observe(a));
  if (a.what == codex::activity::kind::turn_ended && !turn_over_) {
    // The work is done: the hard cap no longer applies to Codex's exit,
    // which the agent machine bounds (turn_end_grace, then the ladder).
    turn_over_ = true;
    emit(cmd::cancel_timer{timer::timeout});
  }
}

void task_machine::shutdown(std::string reason) {
  if (state_ == state::ending || state_ == state::done) return;
  begin_stop(stop_cause::shutdown, std::move(reason));
  advance();
}

void task_machine::internal_error(std::string what) {
  if (state_ == state::done) return;
  if (state_ == state::claimed || state_ == state::ending) {
    // Nothing was asked yet (claimed: the failing input may have been begin()
    // itself, and nothing else will come), or the agent is gone: fail rather
    // than wait for an input that may never come.
    facts_.cause = stop_cause::internal;
    facts_.stop_reason = std::move(what);
    conclude();
    return;
  }
  begin_stop(stop_cause::internal, std::move(what));
  advance();
}

std::vector<command> task_machine::take_commands() { return std::exchange(commands_, {}); }
std::vector<log_note> task_machine::take_notes() { return std::exchange(notes_, {}); }

// ---- transitions ----

void task_machine::begin_stop(stop_cause cause, std::string reason) {
  if (facts_.cause != stop_cause::none) return;  // the first reason decides the report
  if (turn_over_ && cause == stop_cause::shutdown && state_ == state::running) {
    // The turn's result stands; a shutdown only cuts Codex's exit short.
    if (!stop_sent_) emit(cmd::stop_agent{std::move(reason)});
    stop_sent_ = true;
    return;
  }
  facts_.cause = cause;
  facts_.stop_reason = std::move(reason);
  if (state_ == state::running || state_ == state::booting) state_ = state::stopping;
}

void task_machine::spawn() {
  const bool held = start_ == progress::pending;
  emit(cmd::spawn_agent{held});
  emit(cmd::arm_timer{timer::status_poll, limits_.status_poll});
  if (limits_.agent_timeout.count() > 0) emit(cmd::arm_timer{timer::timeout, limits_.agent_timeout});
  state_ = held ? state::booting : state::running;
  if (!held) emit(cmd::send_progress{"Launching " + limits_.provider, 1, 2});
}

void task_machine::end_agent_phase() {
  emit(cmd::cancel_timer{timer::status_poll});
  emit(cmd::cancel_timer{timer::timeout});
  emit(cmd::cancel_timer{timer::flush});
  apply(watchdog_.stop());
  flush_armed_ = false;
  if (messages_pending_) emit(cmd::flush_messages{});  // the last batch goes out before the report
  messages_pending_ = false;
  state_ = state::ending;
}

void task_machine::flush_now() {
  emit(cmd::flush_messages{});
  messages_pending_ = false;
  flush_armed_ = true;
  emit(cmd::arm_timer{timer::flush, limits_.flush_interval});
}

void task_machine::apply(const std::vector<watch_change>& changes) {
  for (const auto& c : changes) {
    auto which = static_cast<timer>(static_cast<int>(timer::idle) + static_cast<int>(c.which));
    if (c.arm) emit(cmd::arm_timer{which, *c.arm});
    else emit(cmd::cancel_timer{which});
  }
}

void task_machine::watchdog_expired(watch which) {
  const auto label = watchdog_.label(which);
  const auto window = go_duration(watchdog_.window(which));
  auto reason = watchdog_.fire(which);
  if (state_ != state::running) return;  // stopping already: the first reason stands
  notes_.push_back(log_note{log_note::level::warn, "liveness watchdog stopped the agent",
                            {{"watchdog", label}, {"limit", window}, {"reason", reason}}});
  apply(watchdog_.stop());
  begin_stop(stop_cause::timeout, std::move(reason));
}

void task_machine::advance() {
  if (state_ == state::starting) {
    const bool blocked = facts_.cause != stop_cause::none || start_ == progress::failed;
    if (environment_ == progress::ok && !blocked) spawn();
    else if (environment_ != progress::pending && start_ != progress::pending) state_ = state::ending;
  }
  if (state_ == state::booting && start_ == progress::ok) {
    emit(cmd::release_agent{});
    emit(cmd::send_progress{"Launching " + limits_.provider, 1, 2});
    state_ = state::running;
  }
  if (state_ == state::booting && start_ == progress::failed && facts_.cause == stop_cause::none) {
    // Codex was sent nothing; its stop only closes its stdin.
    facts_.stop_reason = "the server did not start the task";
    state_ = state::stopping;
  }
  if (state_ == state::stopping && !stop_sent_) {
    stop_sent_ = true;
    emit(cmd::stop_agent{facts_.stop_reason});
  }
  // The agent is gone; the start answer must be in before the report. No
  // status look first: a complete the server cannot apply (it cancelled or
  // failed the task meanwhile) is refused with 400, and the outbox settles
  // that through the task's status, so the report goes out at once.
  if (state_ == state::ending && start_ != progress::pending) {
    if (ended_on_its_own(facts_)) emit(cmd::send_progress{"Finishing task", 2, 2});
    conclude();
  }
}

void task_machine::conclude() {
  auto report = decide_report(facts_);
  const auto end = report.end;
  notes_.push_back(report.note);
  emit(cmd::post_report{std::move(report)});
  if (facts_.prepared) emit(cmd::write_gc_meta{});
  emit(cmd::finished{end});
  state_ = state::done;
}

}  // namespace multicad::proto::lifecycle
