// The liveness watchdogs on the fake clock (proto/lifecycle/watchdog.hpp):
// a turn in which Codex is silent, only chatters (status, usage), or never
// starts anything is stopped and failed with what was last seen and when;
// a command that prints, or a silent tool call within the tool budget, is
// not; each limit's 0 turns it off; the turn's end stops them all.
#include <catch2/catch.hpp>

#include "test/unit/proto/lifecycle/machine_harness.hpp"

using namespace multicad::proto;
using namespace multicad::proto::lifecycle;
using namespace multicad::proto::lifecycle::testing;
using st = task_machine::state;
using kind = codex::activity::kind;

namespace {

// 2026-12-04T10:00:00Z plus the fake clock: the times the reasons print.
const auto wall_start = std::chrono::sys_days{std::chrono::year{2026} / 12 / 4} + std::chrono::hours(10);

task_limits only(watchdog_limits w) {
  auto l = test_limits();
  l.watchdogs = w;
  return l;
}

struct watched : task_harness {
  using task_harness::task_harness;
  void sign(kind k, std::string what, bool tool = false) {
    activity({k, std::move(what), tool, wall_start + clock.now()});
  }
  void turn() {
    to_running();
    sign(kind::turn_started, "turn/start answered");
  }
};

const watchdog_limits idle_only{30min, 2h, 0ms, 0ms};

}  // namespace

TEST_CASE("a turn in which codex sends nothing is stopped by the idle watchdog with what it last sent", "[lifecycle][watchdog]") {
  watched h(only(idle_only));
  h.turn();
  CHECK(h.step == lines{"arm idle 1800000ms"});
  h.advance(62s);
  h.sign(kind::item, "item/completed reasoning");
  CHECK(h.step == lines{"arm idle 1800000ms"});  // every sign of life starts the window again
  h.advance(29min);
  h.sign(kind::other, "thread/tokenUsage/updated");  // alive, if not progressing
  h.advance(30min - 1ms);
  CHECK(h.m.current_state() == st::running);
  const std::string reason =
      "codex sent nothing for 30m0s; last event: thread/tokenUsage/updated at 2026-12-04T10:30:02Z";
  h.advance(1ms);
  CHECK(h.step == lines{"stop_agent: " + reason});
  CHECK(h.m.current_state() == st::stopping);
  REQUIRE(!h.notes.empty());
  CHECK(h.notes.back() == log_note{log_note::level::warn, "liveness watchdog stopped the agent",
                                   {{"watchdog", "idle"}, {"limit", "30m0s"}, {"reason", reason}}});
  h.agent_ended(interrupted_end(reason));
  CHECK(h.report().error == reason);
  CHECK(h.end() == task_end::timed_out);
}

TEST_CASE("a tool call in flight gets the tool watchdog and its output keeps it alive", "[lifecycle][watchdog]") {
  auto limits = only(idle_only);
  limits.agent_timeout = 8h;  // the hard cap is not what this is about
  watched h(limits);
  h.turn();
  h.sign(kind::item, R"(item/started commandExecution "npm test")", true);
  CHECK(h.step == lines{"arm idle 7200000ms"});
  h.advance(90min);  // a silent build, longer than the idle window
  CHECK(h.m.current_state() == st::running);
  h.sign(kind::progress, R"(item/commandExecution/outputDelta "npm test")", true);
  CHECK(h.step == lines{"arm idle 7200000ms"});
  h.advance(2h - 1ms);
  CHECK(h.m.current_state() == st::running);
  h.advance(1ms);
  CHECK(h.step == lines{"stop_agent: codex sent nothing for 2h0m0s while a tool call ran; last event: "
                        "item/commandExecution/outputDelta \"npm test\" at 2026-12-04T11:30:00Z"});
}

TEST_CASE("the tool's end brings the idle window back", "[lifecycle][watchdog]") {
  watched h(only(idle_only));
  h.turn();
  h.sign(kind::item, R"(item/started commandExecution "make")", true);
  h.sign(kind::item, R"(item/completed commandExecution "make")", false);
  CHECK(h.step == lines{"arm idle 1800000ms"});
  h.advance(30min);
  CHECK(h.m.current_state() == st::stopping);
}

TEST_CASE("a turn with only status and usage updates is stopped by the semantic watchdog", "[lifecycle][watchdog]") {
  watched h(only({30min, 2h, 10min, 0ms}));
  h.turn();
  CHECK(h.step == lines{"arm idle 1800000ms", "arm progress 600000ms"});
  h.advance(4min);
  h.sign(kind::progress, "item/reasoning/summaryTextDelta");  // the model thinks aloud: progress
  CHECK(h.step == lines{"arm idle 1800000ms", "arm progress 600000ms"});
  for (int i = 0; i < 3; ++i) {
    h.advance(3min);
    h.sign(kind::other, "thread/status/changed");  // resets idle only
    CHECK(h.step == lines{"arm idle 1800000ms"});
  }
  h.advance(1min - 1ms);
  CHECK(h.m.current_state() == st::running);
  h.advance(1ms);
  CHECK(h.step == lines{"cancel idle",
                        "stop_agent: codex made no progress for 10m0s (only status or usage updates); last progress: "
                        "item/reasoning/summaryTextDelta at 2026-12-04T10:04:00Z; last event: thread/status/changed at "
                        "2026-12-04T10:13:00Z"});
  CHECK(h.notes.back().fields[0] == std::pair<std::string, std::string>{"watchdog", "semantic"});
}

TEST_CASE("the semantic watchdog waits while a tool call runs", "[lifecycle][watchdog]") {
  watched h(only({30min, 2h, 10min, 0ms}));
  h.turn();
  h.sign(kind::item, R"(item/started commandExecution "cargo build")", true);
  CHECK(h.step == lines{"arm idle 7200000ms", "cancel progress"});
  h.advance(1h);
  CHECK(h.m.current_state() == st::running);
  h.sign(kind::item, R"(item/completed commandExecution "cargo build")", false);
  CHECK(h.step == lines{"arm idle 1800000ms", "arm progress 600000ms"});
}

TEST_CASE("a turn that starts nothing is stopped by the first-turn watchdog", "[lifecycle][watchdog]") {
  watched h(only({30min, 2h, 0ms, 3min}));
  h.turn();
  CHECK(h.step == lines{"arm first_item 180000ms", "arm idle 1800000ms"});
  h.sign(kind::other, "item/completed userMessage");  // the prompt's echo is not an item
  h.advance(1min);
  h.sign(kind::other, "error");  // "Reconnecting... 1/5": a retry is not one either
  h.advance(2min - 1ms);
  CHECK(h.m.current_state() == st::running);
  h.advance(1ms);
  CHECK(h.step == lines{"cancel idle",
                        "stop_agent: codex started nothing in the 3m0s after the turn began at 2026-12-04T10:00:00Z; "
                        "last event: error at 2026-12-04T10:01:00Z"});
}

TEST_CASE("the first item ends the first-turn watchdog", "[lifecycle][watchdog]") {
  watched h(only({30min, 2h, 0ms, 3min}));
  h.turn();
  h.sign(kind::item, "item/started reasoning");
  CHECK(h.step == lines{"cancel first_item", "arm idle 1800000ms"});
  h.advance(29min);
  CHECK(h.m.current_state() == st::running);
}

TEST_CASE("the turn's end stops every watchdog: the agent machine's grace takes over", "[lifecycle][watchdog]") {
  watched h(only({30min, 2h, 10min, 3min}));
  h.turn();
  h.sign(kind::turn_ended, "turn/completed");
  // The hard cap too: the work is done, Codex's exit is bounded by the agent machine.
  CHECK(h.step == lines{"cancel idle", "cancel progress", "cancel first_item", "cancel timeout"});
  h.advance(3h);  // a Stop hook that takes long fails nothing here
  CHECK(h.m.current_state() == st::running);
  h.sign(kind::other, "a reply");  // late lines change nothing
  CHECK(h.step.empty());
  h.agent_ended(completed_end());
  CHECK(h.end() == task_end::completed);
}

TEST_CASE("a shutdown after the turn ended cuts codex's exit short but keeps its result", "[lifecycle][watchdog]") {
  watched h;
  h.turn();
  h.sign(kind::turn_ended, "turn/completed");
  h.shutdown();
  CHECK(h.step == lines{"stop_agent: the daemon is shutting down"});
  CHECK(h.m.current_state() == st::running);
  h.shutdown();  // once
  CHECK(h.step.empty());
  h.agent_ended(completed_end());
  CHECK(h.report().what == final_report::kind::complete);
  CHECK(h.end() == task_end::completed);
}

TEST_CASE("0 turns each watchdog off and agent_timeout 0 is no hard cap", "[lifecycle][watchdog]") {
  auto limits = only({0ms, 0ms, 0ms, 0ms});
  limits.agent_timeout = 0ms;
  watched h(limits);
  h.begin();
  h.started();
  h.prepared();
  CHECK(h.step == lines{"spawn_agent", "arm status_poll 5000ms", "progress 1/2 Launching codex"});
  h.sign(kind::turn_started, "turn/start answered");
  h.sign(kind::item, R"(item/started commandExecution "sleep 1d")", true);
  CHECK(h.step.empty());
  CHECK(h.clock.armed_count() == 1);  // the status poll only
}

TEST_CASE("signs of life before the start or during a stop arm nothing", "[lifecycle][watchdog]") {
  watched h;
  h.to_booting();
  h.sign(kind::turn_started, "turn/start answered");
  CHECK(h.step.empty());
  h.started();
  h.shutdown();
  h.sign(kind::turn_started, "turn/start answered");
  CHECK(h.step.empty());
}

TEST_CASE("a watchdog that fires after another stop changes nothing", "[lifecycle][watchdog]") {
  watched h(only(idle_only));
  h.turn();
  h.fire(timer::status_poll);
  h.answer_last_poll(remote_state::cancelled);
  CHECK(h.step == lines{"stop_agent: cancelled by the server"});
  h.fire(timer::idle);
  CHECK(h.step.empty());
  h.agent_ended(interrupted_end("cancelled by the server"));
  CHECK(h.end() == task_end::cancelled);
}

TEST_CASE("go_duration prints as Go does", "[lifecycle][watchdog]") {
  CHECK(go_duration(30min) == "30m0s");
  CHECK(go_duration(2h) == "2h0m0s");
  CHECK(go_duration(3s) == "3s");
  CHECK(go_duration(90s) == "1m30s");
  CHECK(go_duration(1500ms) == "1.5s");
  CHECK(go_duration(250ms) == "250ms");
  CHECK(go_duration(0ms) == "0s");
}
