// The agent machine: the held session, the start limit, and the stop
// ladder (interrupt, close stdin, SIGTERM the group, SIGKILL, reap, drain),
// each step escalating on its timer on the fake clock.
#include <catch2/catch.hpp>

#include "test/unit/proto/lifecycle/machine_harness.hpp"

using namespace multicad::proto::lifecycle;
using namespace multicad::proto::lifecycle::testing;
using st = agent_machine::state;
using at = agent_cmd::timer;

namespace {
const std::string cancel = "cancelled by the server";
const lines closing{"cancel start_limit", "cancel interrupt_grace", "close_stdin", "arm step 2000ms"};
}  // namespace

TEST_CASE("a released spawn starts the session at once under the start limit", "[lifecycle][agent]") {
  agent_harness h;
  h.spawned();
  CHECK(h.step == lines{"arm start_limit 60000ms", "start_session"});
  CHECK(h.m.current_state() == st::starting);
  h.turn_started();
  CHECK(h.step == lines{"cancel start_limit"});
  CHECK(h.m.current_state() == st::in_turn);
}

TEST_CASE("a held spawn sends nothing until it is released", "[lifecycle][agent]") {
  agent_harness h;
  h.spawned(true);
  CHECK(h.step == lines{"arm start_limit 60000ms"});
  CHECK(h.m.current_state() == st::held);
  h.release();
  CHECK(h.step == lines{"start_session"});
  CHECK(h.m.current_state() == st::starting);
  h.release();  // idempotent
  CHECK(h.step.empty());
}

TEST_CASE("a release that comes before the process starts the session at its spawn", "[lifecycle][agent]") {
  agent_harness h;
  h.release();
  CHECK(h.step.empty());
  h.spawned(true);
  CHECK(h.step == lines{"arm start_limit 60000ms", "start_session"});
  CHECK(h.m.current_state() == st::starting);
}

TEST_CASE("codex that does not start a turn within the start limit is stopped with that reason", "[lifecycle][agent]") {
  agent_harness h;
  h.spawned();
  h.advance(59s);
  CHECK(h.step.empty());
  h.advance(1s);
  CHECK(h.step == lines{"cancel start_limit", "interrupt_session: codex did not start a turn within 60s",
                        "arm interrupt_grace 5000ms"});
  CHECK(h.m.current_state() == st::interrupting);
  CHECK(h.m.stop_reason() == "codex did not start a turn within 60s");
  h.stop(cancel);  // a stop that comes later does not change why
  CHECK(h.step.empty());
  CHECK(h.m.stop_reason() == "codex did not start a turn within 60s");
}

TEST_CASE("the start limit counts the held time and closes a session that was never released", "[lifecycle][agent]") {
  agent_limits limits;
  limits.start_limit = 20s;
  agent_harness h(limits);
  h.spawned(true);
  h.fire(at::start_limit);
  CHECK(h.step == lines{"interrupt_session: codex did not start a turn within 20s", "cancel start_limit",
                        "cancel interrupt_grace", "close_stdin", "arm step 2000ms"});
  CHECK(h.m.current_state() == st::closing);
}

TEST_CASE("each step of the stop ladder escalates on its timer", "[lifecycle][agent]") {
  agent_harness h;
  h.to_in_turn();
  h.stop(cancel);
  CHECK(h.step == lines{"cancel start_limit", "interrupt_session: " + cancel, "arm interrupt_grace 5000ms"});
  CHECK(h.m.current_state() == st::interrupting);
  h.fire(at::interrupt_grace);  // codex ignored turn/interrupt
  CHECK(h.step == closing);
  CHECK(h.m.current_state() == st::closing);
  h.fire(at::step);  // codex ignored its stdin's EOF
  CHECK(h.step == lines{"terminate_group", "arm step 2000ms"});
  CHECK(h.m.current_state() == st::terminating);
  h.fire(at::step);  // and SIGTERM
  CHECK(h.step == lines{"kill_all"});
  CHECK(h.m.current_state() == st::reaping);
  CHECK(h.clock.armed_count() == 0);  // SIGKILL cannot be ignored: the exit is awaited without a limit
  CHECK(h.clock.now() == 9s);  // 5 s for the interrupt, 2 s for the EOF, 2 s for SIGTERM
  h.exited();
  CHECK(h.step == lines{"arm step 2000ms"});
  CHECK(h.m.current_state() == st::draining);
  SECTION("the pipes reach EOF") {
    h.streams_closed();
    CHECK(h.step == lines{"cancel step", "close_pipes", "finished"});
  }
  SECTION("a detached grandchild holds the pipes open") {
    h.fire(at::step);
    CHECK(h.step == lines{"close_pipes", "finished"});
  }
  CHECK(h.m.done());
}

TEST_CASE("an agent that exits during any step ends the ladder without SIGTERM", "[lifecycle][agent]") {
  agent_harness h;
  lines on_exit;
  SECTION("starting") {
    h.spawned();
    on_exit = {"cancel start_limit", "cancel interrupt_grace", "close_stdin", "kill_all", "arm step 2000ms"};
  }
  SECTION("held") {
    h.spawned(true);
    on_exit = {"cancel start_limit", "cancel interrupt_grace", "close_stdin", "kill_all", "arm step 2000ms"};
  }
  SECTION("in turn") {
    h.to_in_turn();
    on_exit = {"cancel start_limit", "cancel interrupt_grace", "close_stdin", "kill_all", "arm step 2000ms"};
  }
  SECTION("interrupting") {
    h.to_in_turn();
    h.stop(cancel);
    on_exit = {"cancel start_limit", "cancel interrupt_grace", "close_stdin", "kill_all", "arm step 2000ms"};
  }
  SECTION("closing") {
    h.to_in_turn();
    h.stop(cancel);
    h.fire(at::interrupt_grace);
    on_exit = {"cancel step", "kill_all", "arm step 2000ms"};
  }
  SECTION("terminating") {
    h.to_in_turn();
    h.stop(cancel);
    h.fire(at::interrupt_grace);
    h.fire(at::step);
    on_exit = {"cancel step", "kill_all", "arm step 2000ms"};
  }
  SECTION("reaping") {
    h.to_in_turn();
    h.stop(cancel);
    h.fire(at::interrupt_grace);
    h.fire(at::step);
    h.fire(at::step);
    on_exit = {"arm step 2000ms"};
  }
  h.exited();
  CHECK(h.step == on_exit);  // the one kill_all sweeps strays that outlive the leader
  CHECK(h.m.current_state() == st::draining);
  h.stop("late");  // nothing left to stop
  CHECK(h.step.empty());
  h.exited();  // reported twice: once counts
  CHECK(h.step.empty());
  h.streams_closed();
  CHECK(h.step == lines{"cancel step", "close_pipes", "finished"});
  CHECK(h.count<agent_cmd::kill_all>() == 1);
}

TEST_CASE("a turn that ends after the interrupt closes stdin without waiting for the grace", "[lifecycle][agent]") {
  agent_harness h;
  h.to_in_turn();
  h.stop(cancel);
  h.session_finished();
  CHECK(h.step == closing);
  CHECK_FALSE(h.clock.armed(at::interrupt_grace));
  h.exited();  // codex leaves on its stdin's EOF
  CHECK(h.step == lines{"cancel step", "kill_all", "arm step 2000ms"});
  CHECK(h.count<agent_cmd::terminate_group>() == 0);
}

TEST_CASE("a session that finishes on its own closes stdin and the ladder follows", "[lifecycle][agent]") {
  agent_harness h;
  h.to_in_turn();
  SECTION("turn completed: codex gets the turn-end grace for its Stop hooks") {
    h.session_finished();
    CHECK(h.step == lines{"cancel start_limit", "cancel interrupt_grace", "close_stdin", "arm step 30000ms"});
  }
  SECTION("stdout closed: codex is leaving, the usual step") {
    h.stdout_closed();
    CHECK(h.step == closing);
  }
  CHECK(h.m.current_state() == st::closing);
  CHECK(h.m.stop_reason().empty());  // nobody asked for a stop
  h.session_finished();              // once
  CHECK(h.step.empty());
}

TEST_CASE("after its turn codex has the turn-end grace to exit and then the stop ladder", "[lifecycle][agent]") {
  agent_limits limits;
  limits.turn_end_grace = 45s;
  agent_harness h(limits);
  h.to_in_turn();
  h.session_finished();  // turn/completed: its Stop hooks run now
  CHECK(h.step == lines{"cancel start_limit", "cancel interrupt_grace", "close_stdin", "arm step 45000ms"});
  SECTION("a hook that ends within the grace: codex exits, nothing is signalled") {
    h.advance(44s);
    CHECK(h.step.empty());
    CHECK(h.m.current_state() == st::closing);
    h.exited();
    CHECK(h.step == lines{"cancel step", "kill_all", "arm step 2000ms"});
    h.streams_closed();
    CHECK(h.step == lines{"cancel step", "close_pipes", "finished"});
    CHECK(h.count<agent_cmd::terminate_group>() == 0);
  }
  SECTION("a hook that outlasts it: SIGTERM, then SIGKILL, and only then finished") {
    h.advance(45s);
    CHECK(h.step == lines{"terminate_group", "arm step 2000ms"});
    CHECK_FALSE(h.finished());  // the result waits for codex's end
    h.advance(2s);
    CHECK(h.step == lines{"kill_all"});
    CHECK_FALSE(h.finished());  // reaping: only the exit moves it on
    h.exited();
    h.streams_closed();
    CHECK(h.finished());
  }
}

TEST_CASE("a stop during the turn-end grace does not wait it out", "[lifecycle][agent]") {
  agent_limits limits;
  limits.turn_end_grace = 45s;
  agent_harness h(limits);
  h.to_in_turn();
  h.session_finished();
  h.advance(10s);
  h.stop("the daemon is shutting down");  // the daemon's stop budget is shorter than the grace
  CHECK(h.step == lines{"arm step 2000ms"});
  h.advance(2s);
  CHECK(h.step == lines{"terminate_group", "arm step 2000ms"});
}

TEST_CASE("a stopped turn does not get the turn-end grace", "[lifecycle][agent]") {
  agent_limits limits;
  limits.turn_end_grace = 45s;
  agent_harness h(limits);
  h.to_in_turn();
  h.stop(cancel);
  h.session_finished();  // turn/completed "interrupted"
  CHECK(h.step == closing);
}

TEST_CASE("pipes that closed before the exit let the ladder finish at the exit", "[lifecycle][agent]") {
  agent_harness h;
  h.to_in_turn();
  h.stdout_closed();
  h.streams_closed();
  CHECK(h.step.empty());  // still closing: the process has not exited
  h.exited();
  CHECK(h.step == lines{"cancel step", "kill_all", "close_pipes", "finished"});
  CHECK(h.m.done());
}

TEST_CASE("a stop requested before the spawn interrupts the session at its spawn", "[lifecycle][agent]") {
  agent_harness h;
  h.stop(cancel);
  CHECK(h.step.empty());
  CHECK(h.m.current_state() == st::created);
  SECTION("released spawn: the session starts and is interrupted at once") {
    h.spawned(false);
    CHECK(h.step == lines{"arm start_limit 60000ms", "start_session", "cancel start_limit", "interrupt_session: " + cancel,
                          "arm interrupt_grace 5000ms"});
    CHECK(h.m.current_state() == st::interrupting);
  }
  SECTION("held spawn: nothing was sent, stdin is closed") {
    h.spawned(true);
    CHECK(h.step == lines{"arm start_limit 60000ms", "interrupt_session: " + cancel, "cancel start_limit",
                          "cancel interrupt_grace", "close_stdin", "arm step 2000ms"});
    CHECK(h.m.current_state() == st::closing);
    CHECK(h.count<agent_cmd::start_session>() == 0);
  }
}

TEST_CASE("a stop requested twice is carried out once with the first reason", "[lifecycle][agent]") {
  agent_harness h;
  h.to_in_turn();
  h.stop(cancel);
  h.stop("the daemon is shutting down");
  CHECK(h.step.empty());
  CHECK(h.m.stop_reason() == cancel);
  CHECK(h.count<agent_cmd::interrupt_session>() == 1);
}

TEST_CASE("a stop while held closes the session without a turn to interrupt", "[lifecycle][agent]") {
  agent_harness h;
  h.spawned(true);
  h.stop(cancel);
  CHECK(h.step == lines{"interrupt_session: " + cancel, "cancel start_limit", "cancel interrupt_grace", "close_stdin",
                        "arm step 2000ms"});
  h.release();  // the start answer, late: codex is not started now
  CHECK(h.step.empty());
  CHECK(h.count<agent_cmd::start_session>() == 0);
}

TEST_CASE("nothing follows the ladder's finished", "[lifecycle][agent]") {
  agent_harness h;
  h.to_in_turn();
  h.session_finished();
  h.exited();
  h.streams_closed();
  REQUIRE(h.m.done());
  h.m.spawned(false);
  h.m.release();
  h.m.stop("late");
  h.m.turn_started();
  h.m.session_finished();
  h.m.stdout_closed();
  h.m.exited();
  h.m.streams_closed();
  for (auto t : {at::start_limit, at::interrupt_grace, at::step}) h.m.timer_fired(t);
  CHECK(h.m.take_commands().empty());
  CHECK(h.m.done());
}

TEST_CASE("a turn-end grace as long as the step grace is still told apart from it", "[lifecycle][agent]") {
  // Codex closing stdout is not a turn that ended: a stop then does not re-arm
  // the step, even when both graces have the same length.
  agent_limits limits;
  limits.turn_end_grace = limits.step_grace;
  agent_harness h(limits);
  h.to_in_turn();
  h.stdout_closed();
  CHECK(h.step == closing);
  h.advance(1s);
  h.stop("the daemon is shutting down");
  CHECK(h.step.empty());
  h.advance(1s);
  CHECK(h.step == lines{"terminate_group", "arm step 2000ms"});
}
