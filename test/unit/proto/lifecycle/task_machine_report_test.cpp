// What a task reports, driven through the task machine: complete with the
// answer and the usage, fail with the real reason, or nothing when the
// assigner already ended the task; and what refusals and failures before
// the agent runs produce (final_report.hpp decides, the machine gathers).
#include <catch2/catch.hpp>

#include "test/unit/proto/lifecycle/machine_harness.hpp"

using namespace multicad::proto;
using namespace multicad::proto::lifecycle;
using namespace multicad::proto::lifecycle::testing;
using kind = final_report::kind;

namespace {
std::vector<codex::model_usage> two_models() {
  return {{"gpt-5", 1200, 200, 340, 50}, {"gpt-5-mini", 10, 0, 4, 0}};
}
const std::vector<server::usage_entry> two_models_reported{{"codex", "gpt-5", 1200, 340, 200, 0},
                                                           {"codex", "gpt-5-mini", 10, 4, 0, 0}};

// Runs a started task to the agent's end on its own.
task_harness ran_to(agent_end end) {
  task_harness h;
  h.to_running();
  h.agent_ended(std::move(end));
  return h;
}
}  // namespace

TEST_CASE("a completed run reports its answer and session id with the usage", "[lifecycle][report]") {
  auto h = ran_to(completed_end("Fixed the bug.", two_models()));
  auto r = h.report();
  CHECK(r.what == kind::complete);
  CHECK(r.output == "Fixed the bug.");
  CHECK(r.session_id == "thread-1");
  CHECK(r.usage == two_models_reported);
  CHECK(r.end == task_end::completed);
  CHECK(h.end() == task_end::completed);
  CHECK(h.notes == std::vector<log_note>{{log_note::level::info, "task completed", {{"session_id", "thread-1"}}}});
}

TEST_CASE("a failed run fails the task with codex's own reason and still reports the usage", "[lifecycle][report]") {
  auto end = failed_end(codex::outcome::status::failed, "model returned 400: context length exceeded");
  end.outcome.usage = two_models();
  auto h = ran_to(end);
  auto r = h.report();
  CHECK(r.what == kind::fail);
  CHECK(r.error == "model returned 400: context length exceeded");
  CHECK(r.usage == two_models_reported);
  CHECK(h.end() == task_end::failed);
}

TEST_CASE("codex exiting mid-turn fails the task with the exit and its stderr", "[lifecycle][report]") {
  agent_end end = failed_end(codex::outcome::status::exited, "codex was killed by SIGSEGV before the turn finished",
                             exit_status::killed(11));
  end.stderr_tail = "thread 'main' panicked\n";
  auto r = ran_to(end).report();
  CHECK(r.error == "codex was killed by SIGSEGV before the turn finished; last stderr: thread 'main' panicked\n");
}

TEST_CASE("codex stopped by its own start limit fails the task with that limit", "[lifecycle][report]") {
  // The agent machine stopped the run; the task machine asked for nothing.
  auto h = ran_to(interrupted_end("codex did not start a turn within 60s"));
  CHECK(h.report().error == "codex did not start a turn within 60s");
  CHECK(h.end() == task_end::failed);
}

TEST_CASE("a run that ended on its own reports at once without a status look first", "[lifecycle][report]") {
  // The complete itself is the look: the server refuses it (400) when it
  // ended the task meanwhile, and the outbox settles that by the status.
  auto h = ran_to(completed_end("Fixed.", two_models()));
  CHECK(h.report().what == kind::complete);
  CHECK(h.count<cmd::poll_remote>() == 0);
}

TEST_CASE("a remote cancel posts nothing and no usage", "[lifecycle][report]") {
  task_harness h;
  h.to_running();
  h.fire(timer::status_poll);
  h.answer_last_poll(remote_state::cancelled);
  auto end = interrupted_end("cancelled by the server");
  end.outcome.usage = two_models();
  h.agent_ended(end);
  auto r = h.report();
  CHECK(r.what == kind::nothing);
  CHECK(r.usage.empty());
  CHECK(r.note.message == "task stopped; nothing reported");
  CHECK(h.count<cmd::poll_remote>() == 1);  // the running poll only
}

TEST_CASE("a timeout fails the task naming the agent timeout and keeps the usage", "[lifecycle][report]") {
  auto limits = test_limits();
  limits.agent_timeout = 90s;
  limits.timeout_message = "codex timed out after 1m30s";
  task_harness h(limits);
  h.to_running();
  h.advance(90s);
  auto end = interrupted_end("codex timed out after 1m30s");
  end.outcome.usage = two_models();
  h.agent_ended(end);
  auto r = h.report();
  CHECK(r.what == kind::fail);
  CHECK(r.error == "codex timed out after 1m30s");
  CHECK(r.usage == two_models_reported);
  CHECK(r.end == task_end::timed_out);
}

TEST_CASE("a start the server refuses before anything ran reports nothing and spawns nothing", "[lifecycle][report]") {
  task_harness h;
  h.begin();
  h.started(start_failure{start_failure::kind::refused, "task is not dispatched"});
  h.prepared();
  CHECK(h.step == lines{"report nothing", "write_gc_meta", "finished not_started"});
  CHECK(h.count<cmd::spawn_agent>() == 0);
  REQUIRE(h.notes.size() == 1);
  CHECK(h.notes[0].severity == log_note::level::warn);
}

TEST_CASE("a transient start failure fails the task so it can run again", "[lifecycle][report]") {
  task_harness h;
  h.begin();
  SECTION("while codex boots") {
    h.prepared();
    h.started(start_failure{start_failure::kind::transient, "connection refused"});
    h.agent_ended(interrupted_end("the server did not start the task"));
  }
  SECTION("before the folder is ready: nothing is spawned") {
    h.started(start_failure{start_failure::kind::transient, "connection refused"});
    h.prepared();
    CHECK(h.step == lines{"report fail: start task failed: connection refused", "write_gc_meta", "finished not_started"});
    CHECK(h.count<cmd::spawn_agent>() == 0);
  }
  auto r = h.report();
  CHECK(r.what == kind::fail);
  CHECK(r.error == "start task failed: connection refused");
  CHECK(r.end == task_end::not_started);
}

TEST_CASE("a failed environment fails the task and leaves no folder to collect", "[lifecycle][report]") {
  task_harness h;
  h.begin();
  h.started();
  h.preparation_failed({preparation_failure::stage::environment, "codex is not usable: too old"});
  CHECK(h.step == lines{"report fail: environment preparation failed: codex is not usable: too old", "finished failed"});
  CHECK(h.report().note.severity == log_note::level::error);
}

TEST_CASE("a failed checkout fails the task and tells GC about its folder", "[lifecycle][report]") {
  task_harness h;
  h.begin();
  h.started();
  h.preparation_failed({preparation_failure::stage::checkout, "git clone exited 128", true});
  CHECK(h.step == lines{"report fail: repository checkout failed: git clone exited 128", "write_gc_meta", "finished failed"});
  CHECK(h.report().note.severity == log_note::level::warn);
}

TEST_CASE("a malformed id or unsafe settings fail the task before anything is prepared or spawned", "[lifecycle][report]") {
  auto [what, reason, note] = GENERATE(table<refusal::kind, std::string, std::string>({
      {refusal::kind::malformed_id, "the server sent a task with a malformed id: ../x", "task failed: the server sent a malformed id"},
      {refusal::kind::unsafe_settings, "custom_args may not set sandbox_mode", "task failed: its agent settings would change the sandbox"},
  }));
  task_harness h;
  h.begin(refusal{what, reason});
  h.started();
  CHECK(h.step == lines{"report fail: " + reason, "finished failed"});
  CHECK(h.count<cmd::prepare>() == 0);
  CHECK(h.count<cmd::spawn_agent>() == 0);
  CHECK(h.report().note.message == note);
}

TEST_CASE("a start refused outranks a refusal: the task was never ours to fail", "[lifecycle][report]") {
  task_harness h;
  h.begin(refusal{refusal::kind::unsafe_settings, "custom_args may not set sandbox_mode"});
  h.started(start_failure{start_failure::kind::refused, "task is cancelled"});
  CHECK(h.step == lines{"report nothing", "finished not_started"});
}
