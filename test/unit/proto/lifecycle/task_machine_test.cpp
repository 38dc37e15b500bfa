// The task machine's transitions, one test per row of the table in
// proto/lifecycle/task_machine.hpp, and its timers (status poll, leading-edge
// flush, agent timeout) driven by the fake clock.
#include <catch2/catch.hpp>

#include "test/unit/proto/lifecycle/machine_harness.hpp"

using namespace multicad::proto;
using namespace multicad::proto::lifecycle;
using namespace multicad::proto::lifecycle::testing;
using st = task_machine::state;

namespace {
const lines agent_phase_over{"cancel status_poll", "cancel timeout", "cancel flush"};
const lines spawned_timers{"arm status_poll 5000ms", "arm timeout 7200000ms"};

lines join(std::initializer_list<lines> parts) {
  lines out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
}  // namespace

TEST_CASE("a claimed task asks for its start and prepares its folder at once", "[lifecycle][task]") {
  task_harness h;
  CHECK(h.m.current_state() == st::claimed);
  h.begin();
  CHECK(h.step == lines{"ask_start", "prepare"});
  CHECK(h.m.current_state() == st::starting);
  h.begin();  // a second begin changes nothing
  CHECK(h.step.empty());
}

TEST_CASE("a refused task asks for its start but prepares nothing", "[lifecycle][task]") {
  task_harness h;
  h.begin(refusal{refusal::kind::unsafe_settings, "agent settings would widen the sandbox"});
  CHECK(h.step == lines{"ask_start"});
  CHECK(h.m.current_state() == st::starting);
}

TEST_CASE("the folder ready before the start answer spawns codex held", "[lifecycle][task]") {
  task_harness h;
  h.begin();
  h.prepared();
  CHECK(h.step == join({{"spawn_agent held"}, spawned_timers}));  // no "Launching" until the start is confirmed
  CHECK(h.m.current_state() == st::booting);
}

TEST_CASE("the start confirmed while codex boots releases it and says Launching", "[lifecycle][task]") {
  task_harness h;
  h.to_booting();
  h.started();
  CHECK(h.step == lines{"release_agent", "progress 1/2 Launching codex"});
  CHECK(h.m.current_state() == st::running);
}

TEST_CASE("the start confirmed before the folder is ready spawns codex released", "[lifecycle][task]") {
  task_harness h;
  h.begin();
  h.started();
  CHECK(h.step.empty());
  CHECK(h.m.current_state() == st::starting);
  h.prepared();
  CHECK(h.step == join({{"spawn_agent"}, spawned_timers, {"progress 1/2 Launching codex"}}));
  CHECK(h.m.current_state() == st::running);
  CHECK(h.count<cmd::release_agent>() == 0);
}

TEST_CASE("a start refused while codex boots stops it and reports nothing", "[lifecycle][task]") {
  task_harness h;
  h.to_booting();
  h.started(start_failure{start_failure::kind::refused, "task is cancelled"});
  CHECK(h.step == lines{"stop_agent: the server did not start the task"});
  CHECK(h.m.current_state() == st::stopping);
  h.agent_ended(interrupted_end("the server did not start the task"));
  CHECK(h.step == join({agent_phase_over, {"report nothing", "write_gc_meta", "finished not_started"}}));
  CHECK(h.count<cmd::release_agent>() == 0);
}

TEST_CASE("a transient start failure while codex boots stops it and fails the task", "[lifecycle][task]") {
  task_harness h;
  h.to_booting();
  h.started(start_failure{start_failure::kind::transient, "HTTP 503"});
  CHECK(h.step == lines{"stop_agent: the server did not start the task"});
  h.agent_ended(interrupted_end("the server did not start the task"));
  CHECK(h.step == join({agent_phase_over, {"report fail: start task failed: HTTP 503", "write_gc_meta",
                                           "finished not_started"}}));
}

TEST_CASE("the server ending a running task stops codex and reports nothing", "[lifecycle][task]") {
  auto [answer, reason] = GENERATE(table<remote_state, std::string>({
      {remote_state::cancelled, "cancelled by the server"},
      {remote_state::gone, "the task no longer exists on the server"},
      {remote_state::failed_elsewhere, "the server already failed the task"},
  }));
  task_harness h;
  h.to_running();
  h.fire(timer::status_poll);
  CHECK(h.step == lines{"poll_remote"});
  h.answer(answer);
  CHECK(h.step == lines{"stop_agent: " + reason});
  CHECK(h.m.current_state() == st::stopping);
  h.agent_ended(interrupted_end(reason));
  CHECK(h.step == join({agent_phase_over, {"report nothing", "write_gc_meta", "finished cancelled"}}));
}

TEST_CASE("the agent timeout stops a running task on the fake clock", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.advance(2h - 1ms);
  CHECK(h.step == lines{"poll_remote"});  // the poll is out; unanswered, it is not re-armed
  CHECK(h.m.current_state() == st::running);
  h.advance(1ms);
  CHECK(h.step == lines{"stop_agent: codex timed out after 2h0m0s"});
  CHECK(h.m.current_state() == st::stopping);
  h.agent_ended(interrupted_end("codex timed out after 2h0m0s"));
  CHECK(h.step == join({agent_phase_over, {"report fail: codex timed out after 2h0m0s", "write_gc_meta",
                                           "finished timed_out"}}));
}

TEST_CASE("codex ending on its own says Finishing and reports in the same step", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.agent_ended(completed_end("All done."));
  CHECK(h.step == join({agent_phase_over, {"progress 2/2 Finishing task", "report complete: All done.",
                                           "write_gc_meta", "finished completed"}}));
  CHECK(h.m.done());
}

TEST_CASE("codex dying while held waits for the start answer before the report", "[lifecycle][task]") {
  task_harness h;
  h.to_booting();
  h.agent_ended(failed_end(codex::outcome::status::exited, "codex exited (status 1) before it started"));
  CHECK(h.step == agent_phase_over);
  CHECK(h.m.current_state() == st::ending);  // the start call is still out
  h.started();
  CHECK(h.step == lines{"progress 2/2 Finishing task", "report fail: codex exited (status 1) before it started",
                        "write_gc_meta", "finished failed"});
}

TEST_CASE("a task that spawned nothing ends once the start answer and the preparation are in", "[lifecycle][task]") {
  task_harness h;
  h.begin();
  SECTION("preparation first") {
    h.preparation_failed({preparation_failure::stage::environment, "disk full"});
    CHECK(h.step.empty());
    CHECK(h.m.current_state() == st::starting);
    h.started();
  }
  SECTION("start answer first") {
    h.started();
    CHECK(h.step.empty());
    h.preparation_failed({preparation_failure::stage::environment, "disk full"});
  }
  CHECK(h.step == lines{"report fail: environment preparation failed: disk full", "finished failed"});
  CHECK(h.count<cmd::spawn_agent>() == 0);
}

TEST_CASE("the status poll is re-armed only by its answer", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  CHECK(h.clock.remaining(timer::status_poll) == 5s);
  h.advance(5s);
  CHECK(h.step == lines{"poll_remote"});
  CHECK_FALSE(h.clock.armed(timer::status_poll));  // one poll in flight at a time
  h.answer(remote_state::running);
  CHECK(h.step == lines{"arm status_poll 5000ms"});
  h.advance(5s);
  CHECK(h.step == lines{"poll_remote"});
  h.answer(remote_state::unknown);  // could not ask: carry on
  CHECK(h.step == lines{"arm status_poll 5000ms"});
  CHECK(h.m.current_state() == st::running);
}

TEST_CASE("the status poll runs while codex boots", "[lifecycle][task]") {
  task_harness h;
  h.to_booting();
  h.advance(5s);
  CHECK(h.step == lines{"poll_remote"});
  h.answer(remote_state::running);
  CHECK(h.step == lines{"arm status_poll 5000ms"});
  CHECK(h.m.current_state() == st::booting);
}

TEST_CASE("a remote cancel while codex boots stops it and a later start does not release it", "[lifecycle][task]") {
  task_harness h;
  h.to_booting();
  h.fire(timer::status_poll);
  h.answer(remote_state::cancelled);
  CHECK(h.step == lines{"stop_agent: cancelled by the server"});
  CHECK(h.m.current_state() == st::stopping);
  SECTION("the start call then confirmed") {
    h.started();
    CHECK(h.step.empty());
    h.agent_ended(interrupted_end("cancelled by the server"));
    CHECK(h.report().what == final_report::kind::nothing);
    CHECK(h.end() == task_end::cancelled);
  }
  SECTION("the start call then refused") {
    h.started(start_failure{start_failure::kind::refused, "task is cancelled"});
    CHECK(h.step.empty());  // stopping already: no second stop
    h.agent_ended(interrupted_end("cancelled by the server"));
    CHECK(h.report().what == final_report::kind::nothing);
    CHECK(h.end() == task_end::not_started);
  }
  CHECK(h.count<cmd::release_agent>() == 0);
}

TEST_CASE("no status poll goes out once codex is being stopped", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.shutdown("the daemon is shutting down");
  CHECK(h.step == lines{"stop_agent: the daemon is shutting down"});
  h.fire(timer::status_poll);  // armed at the spawn, not cancelled until codex is gone
  CHECK(h.step.empty());
  CHECK(h.count<cmd::poll_remote>() == 0);
}

TEST_CASE("a poll answer that comes while codex is being stopped changes nothing", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.fire(timer::status_poll);
  h.shutdown("the daemon is shutting down");
  h.answer(remote_state::cancelled);  // late: the first reason decides
  CHECK(h.step.empty());
  h.agent_ended(interrupted_end("the daemon is shutting down"));
  CHECK(h.report().error == "the daemon is shutting down");
  CHECK(h.end() == task_end::interrupted_by_shutdown);
}

TEST_CASE("the first event is flushed at once and later ones wait for the flush timer", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.event();
  CHECK(h.step == lines{"flush_messages", "arm flush 500ms"});
  h.event();
  h.event();
  CHECK(h.step.empty());
  h.advance(499ms);
  CHECK(h.step.empty());
  h.advance(1ms);
  CHECK(h.step == lines{"flush_messages", "arm flush 500ms"});
  h.advance(500ms);  // a quiet spell: nothing to send, the timer rests
  CHECK(h.step.empty());
  CHECK_FALSE(h.clock.armed(timer::flush));
  h.event();  // the next event is a leading edge again
  CHECK(h.step == lines{"flush_messages", "arm flush 500ms"});
}

TEST_CASE("the last batch is flushed before the report", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.event();
  h.event();  // waits for the flush timer
  h.agent_ended(completed_end());
  CHECK(h.step == join({agent_phase_over, {"flush_messages", "progress 2/2 Finishing task", "report complete: All done.",
                                           "write_gc_meta", "finished completed"}}));
  h.event();  // nothing is forwarded once the agent is gone
  CHECK(h.step.empty());
}

TEST_CASE("events while codex is stopping are still forwarded", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.shutdown();
  h.event();
  CHECK(h.step == lines{"flush_messages", "arm flush 500ms"});
  h.event();
  h.agent_ended(interrupted_end("the daemon is shutting down"));
  CHECK(h.step == join({agent_phase_over, {"flush_messages", "report fail: the daemon is shutting down",
                                           "write_gc_meta", "finished interrupted_by_shutdown"}}));
}

TEST_CASE("a poll still out when codex ends changes nothing when it answers", "[lifecycle][task]") {
  task_harness h;
  h.to_running();
  h.fire(timer::status_poll);
  CHECK(h.step == lines{"poll_remote"});
  h.agent_ended(completed_end());
  CHECK(h.report().what == final_report::kind::complete);
  h.answer(remote_state::cancelled);
  CHECK(h.step.empty());
  CHECK(h.count<cmd::finished>() == 1);
}
