// Drives the lifecycle machines (proto/lifecycle) in tests with a fake
// clock: feeds inputs, records every command in order, keeps the timers a
// machine armed (arming again replaces, cancelling removes) and fires them
// when a test names one or moves the clock. No wall-clock time passes.
// After every input it checks what must hold whatever the test: nothing
// after `finished`, one spawn, one report, no timer left when done.
// Header-only; single-threaded, like the machines.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "proto/lifecycle/agent_machine.hpp"
#include "proto/lifecycle/task_machine.hpp"

namespace multicad::proto::lifecycle::testing {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using lines = std::vector<std::string>;

// Timers by kind, each with its deadline on a clock that only tests move.
template <class Timer>
class fake_clock {
 public:
  void arm(Timer t, ms after) { deadlines_[t] = now_ + after; }
  void cancel(Timer t) { deadlines_.erase(t); }
  bool armed(Timer t) const { return deadlines_.count(t) != 0; }
  std::size_t armed_count() const { return deadlines_.size(); }
  ms now() const { return now_; }
  // How long until `t` fires; requires it to be armed.
  ms remaining(Timer t) const { return deadlines_.at(t) - now_; }

  // The earliest timer due by `until` (the clock moves to its deadline and
  // the timer is disarmed), or none (the clock moves to `until`).
  std::optional<Timer> next_due(ms until) {
    std::optional<std::pair<Timer, ms>> next;
    for (const auto& [t, at] : deadlines_)
      if (at <= until && (!next || at < next->second)) next = std::make_pair(t, at);
    if (!next) {
      now_ = until;
      return std::nullopt;
    }
    now_ = next->second;
    deadlines_.erase(next->first);
    return next->first;
  }
  void take(Timer t) {
    now_ = deadlines_.at(t);
    deadlines_.erase(t);
  }

 private:
  ms now_{0};
  std::map<Timer, ms> deadlines_;
};

inline std::string name_of(timer t) {
  switch (t) {
    case timer::status_poll: return "status_poll";
    case timer::flush: return "flush";
    case timer::timeout: return "timeout";
    case timer::idle: return "idle";
    case timer::progress: return "progress";
    case timer::first_item: return "first_item";
  }
  return "?";
}

inline std::string name_of(agent_cmd::timer t) {
  switch (t) {
    case agent_cmd::timer::start_limit: return "start_limit";
    case agent_cmd::timer::interrupt_grace: return "interrupt_grace";
    case agent_cmd::timer::step: return "step";
  }
  return "?";
}

inline std::string name_of(task_end e) {
  static const char* names[] = {"completed", "failed", "cancelled", "timed_out", "interrupted_by_shutdown", "not_started"};
  return names[static_cast<int>(e)];
}

inline std::string name_of(const final_report& r) {
  switch (r.what) {
    case final_report::kind::complete: return "complete: " + r.output;
    case final_report::kind::fail: return "fail: " + r.error;
    case final_report::kind::nothing: return "nothing";
  }
  return "?";
}

// One line per command, so a test states a whole step as a list and a
// failure prints what the machine did instead.
inline std::string describe(const command& c) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, cmd::ask_start>) return "ask_start";
        else if constexpr (std::is_same_v<T, cmd::prepare>) return "prepare";
        else if constexpr (std::is_same_v<T, cmd::spawn_agent>) return x.held ? "spawn_agent held" : "spawn_agent";
        else if constexpr (std::is_same_v<T, cmd::release_agent>) return "release_agent";
        else if constexpr (std::is_same_v<T, cmd::stop_agent>) return "stop_agent: " + x.reason;
        else if constexpr (std::is_same_v<T, cmd::poll_remote>) return "poll_remote";
        else if constexpr (std::is_same_v<T, cmd::arm_timer>)
          return "arm " + name_of(x.which) + " " + std::to_string(x.after.count()) + "ms";
        else if constexpr (std::is_same_v<T, cmd::cancel_timer>) return "cancel " + name_of(x.which);
        else if constexpr (std::is_same_v<T, cmd::flush_messages>) return "flush_messages";
        else if constexpr (std::is_same_v<T, cmd::send_progress>)
          return "progress " + std::to_string(x.step) + "/" + std::to_string(x.total) + " " + x.summary;
        else if constexpr (std::is_same_v<T, cmd::post_report>) return "report " + name_of(x.report);
        else if constexpr (std::is_same_v<T, cmd::write_gc_meta>) return "write_gc_meta";
        else return "finished " + name_of(x.end);
      },
      c);
}

inline std::string describe(const agent_command& c) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        namespace ac = agent_cmd;
        if constexpr (std::is_same_v<T, ac::start_session>) return "start_session";
        else if constexpr (std::is_same_v<T, ac::interrupt_session>) return "interrupt_session: " + x.reason;
        else if constexpr (std::is_same_v<T, ac::close_stdin>) return "close_stdin";
        else if constexpr (std::is_same_v<T, ac::terminate_group>) return "terminate_group";
        else if constexpr (std::is_same_v<T, ac::kill_all>) return "kill_all";
        else if constexpr (std::is_same_v<T, ac::arm_timer>)
          return "arm " + name_of(x.which) + " " + std::to_string(x.after.count()) + "ms";
        else if constexpr (std::is_same_v<T, ac::cancel_timer>) return "cancel " + name_of(x.which);
        else if constexpr (std::is_same_v<T, ac::close_pipes>) return "close_pipes";
        else return "finished";
      },
      c);
}

// The limits the task tests run with: the defaults, named here so the
// expected commands can spell them out.
inline task_limits test_limits() {
  task_limits l;
  l.provider = "codex";
  l.agent_timeout = 2h;
  l.timeout_message = "codex timed out after 2h0m0s";
  l.cancel_reason = "cancelled by the server";
  l.status_poll = 5s;
  l.flush_interval = 500ms;
  return l;
}

// The ways an agent ends, as codex_run reports them.
inline agent_end completed_end(std::string output = "All done.", std::vector<codex::model_usage> usage = {}) {
  agent_end e;
  e.outcome.result = codex::outcome::status::completed;
  e.outcome.final_output = std::move(output);
  e.outcome.thread_id = "thread-1";
  e.outcome.usage = std::move(usage);
  e.exit = exit_status::exited(0);
  return e;
}

inline agent_end failed_end(codex::outcome::status how, std::string error, exit_status exit = exit_status::exited(0)) {
  agent_end e;
  e.outcome.result = how;
  e.outcome.error = std::move(error);
  e.outcome.thread_id = "thread-1";
  e.exit = std::move(exit);
  return e;
}

inline agent_end interrupted_end(std::string reason) {
  return failed_end(codex::outcome::status::interrupted, std::move(reason), exit_status::killed(15));
}

// Timer expiries, driven the same way for both machines. H has the machine
// `m`, its fake `clock`, `step` and `collect()`.
template <class H, class Timer>
struct timer_driver {
  // Fires `t`, which must be armed, at its deadline.
  void fire(Timer t) {
    auto& h = static_cast<H&>(*this);
    INFO("firing " << name_of(t));
    REQUIRE(h.clock.armed(t));
    h.clock.take(t);
    h.m.timer_fired(t);
    h.collect();
  }
  // Moves the clock by `d`, firing what falls due in deadline order; `step`
  // then holds every command those firings produced.
  void advance(ms d) {
    auto& h = static_cast<H&>(*this);
    lines produced;
    const auto until = h.clock.now() + d;
    while (auto t = h.clock.next_due(until)) {
      h.m.timer_fired(*t);
      h.collect();
      produced.insert(produced.end(), h.step.begin(), h.step.end());
    }
    h.step = std::move(produced);
  }
};

struct task_harness : timer_driver<task_harness, timer> {
  friend timer_driver<task_harness, timer>;
  explicit task_harness(task_limits limits = test_limits()) : m(std::move(limits)) {}

  task_machine m;
  fake_clock<timer> clock;
  std::vector<command> all;  // every command since the start, in order
  lines step;                // the last input's commands, described
  std::vector<log_note> notes;

  void begin(std::optional<refusal> r = std::nullopt) { m.begin(std::move(r)); collect(); }
  void started(std::optional<start_failure> f = std::nullopt) { m.started(std::move(f)); collect(); }
  void prepared() { m.prepared(); collect(); }
  void preparation_failed(preparation_failure f) { m.preparation_failed(std::move(f)); collect(); }
  void agent_ended(agent_end e) { m.agent_ended(std::move(e)); collect(); }
  void answer(remote_state s) { m.remote_answer(s); collect(); }
  // Answers the status poll, which must have been asked.
  void answer_last_poll(remote_state s) {
    REQUIRE(count<cmd::poll_remote>() > 0);
    answer(s);
  }
  void event() { m.event_added(); collect(); }
  void activity(codex::activity a) { m.activity(a); collect(); }
  void shutdown(std::string reason = "the daemon is shutting down") { m.shutdown(std::move(reason)); collect(); }
  void internal_error(std::string what) { m.internal_error(std::move(what)); collect(); }


  // The usual ways in: the start confirmed first (running), or the folder
  // ready first (booting: Codex held until the start is confirmed).
  void to_running() {
    begin();
    started();
    prepared();
    REQUIRE(m.current_state() == task_machine::state::running);
  }
  void to_booting() {
    begin();
    prepared();
    REQUIRE(m.current_state() == task_machine::state::booting);
  }

  template <class C>
  std::vector<C> all_of() const {
    std::vector<C> out;
    for (const auto& c : all)
      if (auto* x = std::get_if<C>(&c)) out.push_back(*x);
    return out;
  }
  template <class C>
  int count() const { return static_cast<int>(all_of<C>().size()); }

  // The one report; requires that there is exactly one.
  final_report report() const {
    auto r = all_of<cmd::post_report>();
    REQUIRE(r.size() == 1);
    return r[0].report;
  }
  std::optional<task_end> end() const {
    auto f = all_of<cmd::finished>();
    if (f.empty()) return std::nullopt;
    return f.back().end;
  }
  bool finished() const { return end().has_value(); }

 private:
  void collect() {
    step.clear();
    for (auto& n : m.take_notes()) notes.push_back(std::move(n));
    for (auto& c : m.take_commands()) {
      INFO("command: " << describe(c));
      REQUIRE_FALSE(finished());  // nothing follows `finished`
      check(c);
      step.push_back(describe(c));
      all.push_back(std::move(c));
    }
    if (finished()) {
      CHECK(m.done());
      CHECK(clock.armed_count() == 0);  // a done task leaves no timer behind
    }
  }

  void check(const command& c) {
    if (auto* a = std::get_if<cmd::arm_timer>(&c)) clock.arm(a->which, a->after);
    if (auto* x = std::get_if<cmd::cancel_timer>(&c)) clock.cancel(x->which);
    if (std::holds_alternative<cmd::spawn_agent>(c)) REQUIRE(count<cmd::spawn_agent>() == 0);
    if (std::holds_alternative<cmd::stop_agent>(c)) {
      REQUIRE(count<cmd::spawn_agent>() == 1);  // only what was spawned is stopped
      REQUIRE(count<cmd::stop_agent>() == 0);   // once: the agent's ladder escalates on its own
    }
    if (std::holds_alternative<cmd::release_agent>(c)) {
      REQUIRE(count<cmd::spawn_agent>() == 1);
      REQUIRE(all_of<cmd::spawn_agent>()[0].held);
    }
    if (std::holds_alternative<cmd::post_report>(c)) REQUIRE(count<cmd::post_report>() == 0);
    if (std::holds_alternative<cmd::finished>(c)) REQUIRE(count<cmd::post_report>() == 1);
  }
};

struct agent_harness : timer_driver<agent_harness, agent_cmd::timer> {
  friend timer_driver<agent_harness, agent_cmd::timer>;
  explicit agent_harness(agent_limits limits = agent_limits{}) : m(std::move(limits)) {}

  agent_machine m;
  fake_clock<agent_cmd::timer> clock;
  std::vector<agent_command> all;
  lines step;
  bool exit_fed = false;

  void spawned(bool held = false) { m.spawned(held); collect(); }
  void release() { m.release(); collect(); }
  void stop(std::string reason = "cancelled by the server") { m.stop(std::move(reason)); collect(); }
  void turn_started() { m.turn_started(); collect(); }
  void session_finished() { m.session_finished(); collect(); }
  void stdout_closed() { m.stdout_closed(); collect(); }
  void exited() {
    exit_fed = true;
    m.exited();
    collect();
  }
  void streams_closed() { m.streams_closed(); collect(); }

  // Spawned, started and in its turn: where most stops begin.
  void to_in_turn() {
    spawned();
    turn_started();
    REQUIRE(m.current_state() == agent_machine::state::in_turn);
  }

  template <class C>
  int count() const {
    int n = 0;
    for (const auto& c : all) n += std::holds_alternative<C>(c) ? 1 : 0;
    return n;
  }
  bool finished() const { return count<agent_cmd::finished>() > 0; }

 private:
  void collect() {
    step.clear();
    for (auto& c : m.take_commands()) {
      INFO("command: " << describe(c));
      REQUIRE_FALSE(finished());
      if (auto* a = std::get_if<agent_cmd::arm_timer>(&c)) clock.arm(a->which, a->after);
      if (auto* x = std::get_if<agent_cmd::cancel_timer>(&c)) clock.cancel(x->which);
      // The ladder sends no SIGTERM once the process is known to be gone.
      if (std::holds_alternative<agent_cmd::terminate_group>(c)) REQUIRE_FALSE(exit_fed);
      if (std::holds_alternative<agent_cmd::kill_all>(c)) REQUIRE(count<agent_cmd::kill_all>() == 0);
      step.push_back(describe(c));
      all.push_back(std::move(c));
    }
    if (finished()) {
      CHECK(m.done());
      CHECK(clock.armed_count() == 0);
    }
  }
};

}  // namespace multicad::proto::lifecycle::testing
