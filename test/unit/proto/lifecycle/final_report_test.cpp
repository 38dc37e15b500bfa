// decide_report() as a table of facts -> report, the final look's rule,
// failure_text() for the ways Codex ends (an exit code, a signal: the
// words come from proto/exit_status.hpp through a real codex::session),
// and usage_entries().
#include <catch2/catch.hpp>

#include "test/unit/proto/lifecycle/machine_harness.hpp"

using namespace multicad::proto;
using namespace multicad::proto::lifecycle;
using namespace multicad::proto::lifecycle::testing;
using kind = final_report::kind;
using status = codex::outcome::status;

namespace {
ending_facts ran(agent_end end) {
  ending_facts f;
  f.prepared = true;
  f.agent = std::move(end);
  return f;
}

ending_facts stopped(stop_cause cause, std::string reason, agent_end end) {
  auto f = ran(std::move(end));
  f.cause = cause;
  f.stop_reason = std::move(reason);
  return f;
}

// What codex_run reports for a process that ended before its turn: the
// session's own words for the exit.
agent_end exited_before_start(const exit_status& how, std::string stderr_tail) {
  codex::session s(codex::session_config{});
  s.start();
  s.on_exit(how);
  return {s.result(), std::move(stderr_tail), how};
}

const std::vector<codex::model_usage> used{{"gpt-5", 100, 40, 7, 3}};
}  // namespace

TEST_CASE("decide_report reads the facts in the order their causes happened", "[lifecycle][final_report]") {
  struct row {
    const char* name;
    ending_facts facts;
    kind what;
    std::string error;
    task_end end;
  };
  const auto done = completed_end("ok", used);
  auto refused_start = ran(done);
  refused_start.start = start_failure{start_failure::kind::refused, "not dispatched"};
  refused_start.cause = stop_cause::timeout;  // outranked
  auto transient_start = ran(done);
  transient_start.start = start_failure{start_failure::kind::transient, "HTTP 502"};
  ending_facts malformed;
  malformed.refused = refusal{refusal::kind::malformed_id, "malformed id: a/b"};
  ending_facts env_failed;
  env_failed.preparation = preparation_failure{preparation_failure::stage::environment, "no space left"};
  env_failed.cause = stop_cause::shutdown;  // outranked: nothing ran
  ending_facts checkout_failed;
  checkout_failed.preparation = preparation_failure{preparation_failure::stage::checkout, "exit 128", true};
  auto internal = stopped(stop_cause::internal, "internal error: bad_alloc", done);
  ending_facts never_ran;

  const std::vector<row> rows{
      {"start refused", refused_start, kind::nothing, "", task_end::not_started},
      {"start failed", transient_start, kind::fail, "start task failed: HTTP 502", task_end::not_started},
      {"malformed id", malformed, kind::fail, "malformed id: a/b", task_end::failed},
      {"environment", env_failed, kind::fail, "environment preparation failed: no space left", task_end::failed},
      {"checkout", checkout_failed, kind::fail, "repository checkout failed: exit 128", task_end::failed},
      {"cancelled", stopped(stop_cause::cancelled, "cancelled", done), kind::nothing, "", task_end::cancelled},
      {"gone", stopped(stop_cause::gone, "gone", done), kind::nothing, "", task_end::cancelled},
      {"failed elsewhere", stopped(stop_cause::failed_elsewhere, "x", done), kind::nothing, "", task_end::cancelled},
      {"timeout", stopped(stop_cause::timeout, "codex timed out after 2h0m0s", done), kind::fail,
       "codex timed out after 2h0m0s", task_end::timed_out},
      {"shutdown", stopped(stop_cause::shutdown, "shutting down", done), kind::fail, "shutting down",
       task_end::interrupted_by_shutdown},
      {"internal", internal, kind::fail, "internal error: bad_alloc", task_end::failed},
      {"ran to its end", ran(done), kind::complete, "", task_end::completed},
      {"codex failed", ran(failed_end(status::sandbox_violation, "sandbox is danger-full-access")), kind::fail,
       "sandbox is danger-full-access", task_end::failed},
      {"never ran", never_ran, kind::fail, "codex never ran", task_end::failed},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    auto report = decide_report(r.facts);
    CHECK(report.what == r.what);
    CHECK(report.error == r.error);
    CHECK(report.end == r.end);
    // Usage goes with a report about a run, never with silence or a run that never was.
    const bool about_the_run = r.what != kind::nothing && r.facts.agent && !r.facts.start && !r.facts.preparation &&
                               !r.facts.agent->outcome.usage.empty();
    CHECK(report.usage.empty() == !about_the_run);
  }
}

TEST_CASE("a completed report carries the answer the thread id and a note", "[lifecycle][final_report]") {
  auto r = decide_report(ran(completed_end("The answer.", used)));
  CHECK(r.what == kind::complete);
  CHECK(r.output == "The answer.");
  CHECK(r.session_id == "thread-1");
  CHECK(r.error.empty());
  CHECK(r.usage == std::vector<server::usage_entry>{{"codex", "gpt-5", 100, 7, 40, 0}});
  CHECK(r.note == log_note{log_note::level::info, "task completed", {{"session_id", "thread-1"}}});
}

TEST_CASE("failure notes carry the error and a start refusal says why nothing is to be done", "[lifecycle][final_report]") {
  auto r = decide_report(ran(failed_end(status::failed, "model error")));
  CHECK(r.note == log_note{log_note::level::warn, "task failed", {{"error", "model error"}}});
  ending_facts f;
  f.start = start_failure{start_failure::kind::refused, "409 conflict"};
  auto n = decide_report(f).note;
  CHECK(n.severity == log_note::level::warn);
  CHECK(n.fields.at(0) == std::pair<std::string, std::string>{"error", "409 conflict"});
  CHECK(n.fields.at(1).first == "hint");
}

TEST_CASE("only a started run that ended on its own says Finishing task", "[lifecycle][final_report]") {
  CHECK(ended_on_its_own(ran(completed_end())));
  CHECK(ended_on_its_own(ran(failed_end(status::exited, "codex exited (status 1) before the turn finished"))));
  CHECK_FALSE(ended_on_its_own(ending_facts{}));  // no agent
  CHECK_FALSE(ended_on_its_own(stopped(stop_cause::timeout, "t", completed_end())));
  auto f = ran(completed_end());
  f.start = start_failure{start_failure::kind::transient, "x"};
  CHECK_FALSE(ended_on_its_own(f));
}

TEST_CASE("failure_text names an exit by its code and adds the stderr tail", "[lifecycle][final_report]") {
  auto end = exited_before_start(exit_status::exited(1), "error: unknown flag --foo\n");
  CHECK(end.outcome.result == status::exited);
  CHECK(failure_text("codex", end) == "codex exited (status 1) before it started; last stderr: error: unknown flag --foo\n");
}

TEST_CASE("failure_text names an exit by signal by the signal's name", "[lifecycle][final_report]") {
  auto end = exited_before_start(exit_status::killed(9), "");
  CHECK(failure_text("codex", end) == "codex was killed by SIGKILL before it started");
  auto odd = exited_before_start(exit_status::killed(42), "");
  CHECK(failure_text("codex", odd) == "codex was killed by signal 42 before it started");
}

TEST_CASE("failure_text keeps the last 600 bytes of stderr and only for an exit", "[lifecycle][final_report]") {
  auto end = exited_before_start(exit_status::exited(2), std::string(100, 'a') + std::string(600, 'z'));
  CHECK(failure_text("codex", end) == "codex exited (status 2) before it started; last stderr: " + std::string(600, 'z'));
  auto failed = failed_end(status::failed, "turn failed: rate limited");
  failed.stderr_tail = "noise";
  CHECK(failure_text("codex", failed) == "turn failed: rate limited");  // codex said why: stderr adds nothing
}

TEST_CASE("failure_text without codex's words says what happened", "[lifecycle][final_report]") {
  agent_end exited;
  exited.outcome.result = status::exited;
  CHECK(failure_text("codex", exited) == "codex exited unexpectedly");
  exited.stderr_tail = "panic";
  CHECK(failure_text("codex", exited) == "codex exited unexpectedly; last stderr: panic");
  agent_end failed;
  failed.outcome.result = status::protocol_error;
  CHECK(failure_text("claude", failed) == "claude execution failed");
}

TEST_CASE("usage_entries has one entry per model that used tokens", "[lifecycle][final_report]") {
  std::vector<codex::model_usage> usage{
      {"gpt-5", 1000, 600, 250, 90},  // input counts cached, as Codex does
      {"idle-model", 0, 0, 0, 12},    // reasoning alone is not reported
      {"cache-only", 0, 5, 0, 0},
  };
  CHECK(usage_entries("codex", usage) == std::vector<server::usage_entry>{{"codex", "gpt-5", 1000, 250, 600, 0},
                                                                         {"codex", "cache-only", 0, 0, 5, 0}});
  CHECK(usage_entries("codex", {}).empty());
}
