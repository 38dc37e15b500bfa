// DESIGN: decide_report() reads the facts in the order their causes
// happened: a start the assigner refused outranks everything (the task was
// never ours to report), then a refusal or a failed preparation (nothing
// ran), then a stop the daemon asked for, and only then Codex's own
// outcome. A task the assigner ended while Codex finished is settled by
// the outbox (the report is refused, the task's status says why).
#include "proto/lifecycle/final_report.hpp"

namespace multicad::proto::lifecycle {
namespace {

// Notes are written as log_note{log_note::level::..., "text"} so the logs
// catalogue lint (test/unit/lint) finds every WARN and ERROR here.

bool silent(stop_cause c) {
  return c == stop_cause::cancelled || c == stop_cause::gone || c == stop_cause::failed_elsewhere;
}

final_report nothing(task_end end, log_note note) {
  final_report r;
  r.what = final_report::kind::nothing;
  r.end = end;
  r.note = std::move(note);
  return r;
}

// The note gets the error as its field unless it brings its own.
final_report fail(task_end end, std::string error, log_note note) {
  final_report r;
  r.what = final_report::kind::fail;
  r.end = end;
  if (note.fields.empty()) note.fields = {{"error", error}};
  r.note = std::move(note);
  r.error = std::move(error);
  return r;
}

final_report not_started(const start_failure& s) {
  if (s.what == start_failure::kind::refused)
    return nothing(task_end::not_started,
                   log_note{log_note::level::warn, "task could not be started; the server refused it",
                            {{"error", s.message},
                             {"hint", "usually the task was cancelled or reassigned between claim and start; nothing to do"}}});
  return fail(task_end::not_started, "start task failed: " + s.message,
              log_note{log_note::level::warn, "task could not be started; reported as failed so it can run again", {}});
}

final_report refused(const refusal& r) {
  if (r.what == refusal::kind::malformed_id)
    return fail(task_end::failed, r.reason, log_note{log_note::level::warn, "task failed: the server sent a malformed id", {}});
  return fail(task_end::failed, r.reason,
              log_note{log_note::level::warn, "task failed: its agent settings would change the sandbox", {}});
}

final_report unprepared(const preparation_failure& p) {
  if (p.where == preparation_failure::stage::checkout)
    return fail(task_end::failed, "repository checkout failed: " + p.error, log_note{log_note::level::warn, "task failed", {}});
  return fail(task_end::failed, "environment preparation failed: " + p.error,
              log_note{log_note::level::error, "task failed before the agent started", {}});
}

}  // namespace

bool ended_on_its_own(const ending_facts& f) {
  return !f.start && !f.refused && !f.preparation && f.cause == stop_cause::none && f.agent.has_value();
}

final_report decide_report(const ending_facts& f) {
  if (f.start) return not_started(*f.start);
  if (f.refused) return refused(*f.refused);
  if (f.preparation) return unprepared(*f.preparation);
  if (silent(f.cause))
    return nothing(task_end::cancelled, log_note{log_note::level::info, "task stopped; nothing reported", {{"reason", f.stop_reason}}});
  auto usage = f.agent ? usage_entries(f.provider, f.agent->outcome.usage) : std::vector<server::usage_entry>{};
  final_report r;
  if (f.cause == stop_cause::timeout || f.cause == stop_cause::shutdown) {
    r = fail(f.cause == stop_cause::timeout ? task_end::timed_out : task_end::interrupted_by_shutdown, f.stop_reason,
             log_note{log_note::level::warn, "task stopped before it finished", {{"reason", f.stop_reason}}});
  } else if (f.cause == stop_cause::internal) {
    r = fail(task_end::failed, f.stop_reason,
             log_note{log_note::level::error, "task failed: the daemon hit an internal error",
                      {{"error", f.stop_reason}, {"hint", "a bug in multicad: please report it with this log"}}});
  } else if (!f.agent) {
    // Unreachable by the machine (an agent that never ran has a cause or a
    // failure above); failing says so rather than completing with nothing.
    r = fail(task_end::failed, f.provider + " never ran", log_note{log_note::level::error, "task failed", {}});
  } else if (f.agent->outcome.result == codex::outcome::status::completed) {
    r.what = final_report::kind::complete;
    r.end = task_end::completed;
    r.output = f.agent->outcome.final_output;
    r.session_id = f.agent->outcome.thread_id;
    r.note = {log_note::level::info, "task completed", {{"session_id", r.session_id}}};
  } else {
    r = fail(task_end::failed, failure_text(f.provider, *f.agent), log_note{log_note::level::warn, "task failed", {}});
  }
  r.usage = std::move(usage);
  return r;
}

std::string failure_text(const std::string& provider, const agent_end& end) {
  using st = codex::outcome::status;
  const auto& o = end.outcome;
  std::string text = !o.error.empty()       ? o.error
                     : o.result == st::exited ? provider + " exited unexpectedly"
                                              : provider + " execution failed";
  if (o.result == st::exited && !end.stderr_tail.empty()) {
    auto tail = end.stderr_tail.substr(end.stderr_tail.size() > 600 ? end.stderr_tail.size() - 600 : 0);
    text += "; last stderr: " + tail;
  }
  return text;
}

std::vector<server::usage_entry> usage_entries(const std::string& provider, const std::vector<codex::model_usage>& usage) {
  std::vector<server::usage_entry> out;
  for (const auto& u : usage) {
    if (u.input_tokens == 0 && u.output_tokens == 0 && u.cached_input_tokens == 0) continue;
    out.push_back({provider, u.model, u.input_tokens, u.output_tokens, u.cached_input_tokens, 0});
  }
  return out;
}

}  // namespace multicad::proto::lifecycle
