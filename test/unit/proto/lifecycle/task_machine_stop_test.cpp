// Shutdown and internal errors arriving in each state of the task machine,
// and its silence once it has said `finished`.
#include <catch2/catch.hpp>

#include <functional>

#include "test/unit/proto/lifecycle/machine_harness.hpp"

using namespace multicad::proto;
using namespace multicad::proto::lifecycle;
using namespace multicad::proto::lifecycle::testing;
using st = task_machine::state;

namespace {
const std::string bye = "the daemon is shutting down";

// Puts a fresh machine in `s` the way the daemon would.
void reach(task_harness& h, st s) {
  switch (s) {
    case st::claimed: break;
    case st::starting: h.begin(); break;
    case st::booting: h.to_booting(); break;
    case st::running: h.to_running(); break;
    case st::stopping:
      h.to_running();
      h.advance(2h);  // the agent timeout
      break;
    case st::ending:  // codex died while held; the start call is still out
      h.to_booting();
      h.agent_ended(failed_end(codex::outcome::status::exited, "codex exited (status 1) before it started"));
      break;
    case st::done:
      h.to_running();
      h.agent_ended(completed_end("All done."));
      break;
  }
  REQUIRE(h.m.current_state() == s);
}

// Answers whatever the machine still waits for, as the daemon would.
void settle(task_harness& h, const std::string& stop_reason) {
  if (h.m.current_state() == st::claimed) h.begin();
  if (h.m.current_state() == st::starting) {
    h.started();
    if (h.m.current_state() == st::starting) h.prepared();
  }
  if (h.m.current_state() == st::booting || h.m.current_state() == st::running || h.m.current_state() == st::stopping)
    h.agent_ended(interrupted_end(stop_reason));
  if (h.m.current_state() == st::ending) h.started();
}
}  // namespace

TEST_CASE("shutdown before begin fails the task once its start is answered and spawns nothing", "[lifecycle][shutdown]") {
  task_harness h;
  h.shutdown(bye);
  CHECK(h.step.empty());
  h.begin();
  CHECK(h.step == lines{"ask_start", "prepare"});
  h.started();
  h.prepared();
  CHECK(h.step == lines{"report fail: " + bye, "write_gc_meta", "finished interrupted_by_shutdown"});
  CHECK(h.count<cmd::spawn_agent>() == 0);
}

TEST_CASE("shutdown while starting spawns nothing and fails the task once both answers are in", "[lifecycle][shutdown]") {
  task_harness h;
  h.begin();
  h.shutdown(bye);
  CHECK(h.step.empty());
  CHECK(h.m.current_state() == st::starting);
  h.prepared();
  CHECK(h.step.empty());  // the start call is still out
  h.started();
  CHECK(h.step == lines{"report fail: " + bye, "write_gc_meta", "finished interrupted_by_shutdown"});
  CHECK(h.count<cmd::spawn_agent>() == 0);
}

TEST_CASE("shutdown while codex boots stops it and the start answer does not release it", "[lifecycle][shutdown]") {
  task_harness h;
  h.to_booting();
  h.shutdown(bye);
  CHECK(h.step == lines{"stop_agent: " + bye});
  CHECK(h.m.current_state() == st::stopping);
  h.started();
  CHECK(h.step.empty());
  h.agent_ended(interrupted_end(bye));
  CHECK(h.report().error == bye);
  CHECK(h.end() == task_end::interrupted_by_shutdown);
  CHECK(h.count<cmd::release_agent>() == 0);
}

TEST_CASE("shutdown while codex runs stops it and fails the task with the shutdown", "[lifecycle][shutdown]") {
  task_harness h;
  h.to_running();
  h.shutdown(bye);
  CHECK(h.step == lines{"stop_agent: " + bye});
  h.agent_ended(interrupted_end(bye));
  CHECK(h.step == lines{"cancel status_poll", "cancel timeout", "cancel flush", "report fail: " + bye, "write_gc_meta",
                        "finished interrupted_by_shutdown"});
}

TEST_CASE("shutdown while codex is already stopping changes neither the stop nor the report", "[lifecycle][shutdown]") {
  task_harness h;
  reach(h, st::stopping);
  h.shutdown(bye);
  CHECK(h.step.empty());
  h.agent_ended(interrupted_end("codex timed out after 2h0m0s"));
  CHECK(h.report().error == "codex timed out after 2h0m0s");
  CHECK(h.end() == task_end::timed_out);
}

TEST_CASE("shutdown once codex has ended changes nothing: the run's own end is reported", "[lifecycle][shutdown]") {
  SECTION("ending") {
    task_harness h;
    reach(h, st::ending);
    h.shutdown(bye);
    CHECK(h.step.empty());
    settle(h, bye);
    CHECK(h.report().error == "codex exited (status 1) before it started");
  }
  SECTION("done") {
    task_harness h;
    reach(h, st::done);
    h.shutdown(bye);
    CHECK(h.step.empty());
  }
}

TEST_CASE("an internal error in any live state ends the task with one failed report", "[lifecycle][internal]") {
  auto s = GENERATE(st::claimed, st::starting, st::booting, st::running, st::ending);
  INFO("state " << static_cast<int>(s));
  task_harness h;
  reach(h, s);
  h.internal_error("internal error: boom");
  const bool agent_alive = s == st::booting || s == st::running;
  if (agent_alive) CHECK(h.step == lines{"stop_agent: internal error: boom"});
  settle(h, "internal error: boom");
  REQUIRE(h.finished());
  auto r = h.report();  // exactly one
  CHECK(r.what == final_report::kind::fail);
  CHECK(r.error == "internal error: boom");
  CHECK(r.end == task_end::failed);
  CHECK(r.note.severity == log_note::level::error);
  CHECK(h.count<cmd::finished>() == 1);
}

TEST_CASE("an internal error before begin fails the task at once without asking to start it", "[lifecycle][internal]") {
  // The shell feeds begin() once; if that input itself broke, nothing else
  // will come, so waiting for begin() would leave the task running forever.
  task_harness h;
  h.internal_error("internal error: boom");
  CHECK(h.step == lines{"report fail: internal error: boom", "finished failed"});
  h.begin();
  CHECK(h.step.empty());
  CHECK(h.count<cmd::ask_start>() == 0);
}

TEST_CASE("an internal error while codex is stopping keeps the first reason", "[lifecycle][internal]") {
  SECTION("stopping for the timeout: still a failure, with the timeout") {
    task_harness h;
    reach(h, st::stopping);
    h.internal_error("internal error: boom");
    CHECK(h.step.empty());  // the stop is under way
    settle(h, "codex timed out after 2h0m0s");
    CHECK(h.report().error == "codex timed out after 2h0m0s");
  }
  SECTION("stopping for a remote cancel: the server ended the task, nothing is posted") {
    task_harness h;
    h.to_running();
    h.fire(timer::status_poll);
    h.answer_last_poll(remote_state::cancelled);
    h.internal_error("internal error: boom");
    CHECK(h.step.empty());
    settle(h, "cancelled by the server");
    CHECK(h.report().what == final_report::kind::nothing);
  }
}

TEST_CASE("no command follows finished whatever input comes later", "[lifecycle][task]") {
  task_harness h;
  reach(h, st::done);
  const std::vector<std::function<void(task_machine&)>> inputs{
      [](task_machine& m) { m.begin(); },
      [](task_machine& m) { m.started(std::nullopt); },
      [](task_machine& m) { m.started(start_failure{start_failure::kind::refused, "no"}); },
      [](task_machine& m) { m.prepared(); },
      [](task_machine& m) { m.preparation_failed({preparation_failure::stage::environment, "x"}); },
      [](task_machine& m) { m.agent_ended(completed_end()); },
      [](task_machine& m) { m.remote_answer(remote_state::cancelled); },
      [](task_machine& m) { m.remote_answer(remote_state::running); },
      [](task_machine& m) { m.timer_fired(timer::status_poll); },
      [](task_machine& m) { m.timer_fired(timer::flush); },
      [](task_machine& m) { m.timer_fired(timer::timeout); },
      [](task_machine& m) { m.event_added(); },
      [](task_machine& m) { m.shutdown(bye); },
      [](task_machine& m) { m.internal_error("late"); },
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    INFO("input " << i);
    inputs[i](h.m);
    CHECK(h.m.take_commands().empty());
    CHECK(h.m.done());
  }
}
