// What a task reports when it ends, as a pure function of how it ended:
// complete with Codex's answer, fail with the real reason, or nothing at
// all when the assigner already ended the task (cancelled, deleted, failed
// elsewhere). The task machine gathers the facts; decide_report() is the
// one place the choice is made. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/codex/session.hpp"
#include "proto/exit_status.hpp"
#include "proto/log_note.hpp"
#include "proto/server/types.hpp"

namespace multicad::proto::lifecycle {

// What the assigner says about a task while it runs.
enum class remote_state {
  running,           // carry on
  cancelled,         // stop the agent and report nothing
  failed_elsewhere,  // the server failed it (sweeper, timeout): stop, report nothing
  gone,              // deleted (404 task not found): stop, report nothing
  unknown,           // could not ask (transient error): carry on
};

// Why the agent was asked to stop before it finished on its own.
enum class stop_cause { none, cancelled, gone, failed_elsewhere, timeout, shutdown, internal };

// How a task ended, for metrics and tests.
enum class task_end { completed, failed, cancelled, timed_out, interrupted_by_shutdown, not_started };

// The start call (dispatched -> running) did not go through.
struct start_failure {
  enum class kind {
    refused,    // for good: the task is in another state or deleted; report nothing
    transient,  // the call failed (network, 5xx): fail the task so it can run again
  };
  kind what = kind::transient;
  std::string message;
};

// A task refused before anything was prepared or spawned.
struct refusal {
  enum class kind { malformed_id, unsafe_settings };
  kind what = kind::unsafe_settings;
  std::string reason;  // the failure text the assigner gets
};

// The task's folder (or its repository checkout) could not be made.
struct preparation_failure {
  enum class stage { environment, checkout };
  stage where = stage::environment;
  std::string error;
  bool folder_exists = false;  // something was prepared: GC learns of it from its metadata
};

// How the agent process ended.
struct agent_end {
  codex::outcome outcome;
  std::string stderr_tail;  // the last few KB of Codex's stderr
  exit_status exit;
};

// Everything the final report depends on.
struct ending_facts {
  std::string provider = "codex";
  std::optional<start_failure> start;                 // the start call failed
  std::optional<refusal> refused;
  std::optional<preparation_failure> preparation;     // preparation failed
  bool prepared = false;                              // a folder exists (GC metadata is due)
  stop_cause cause = stop_cause::none;
  std::string stop_reason;                            // for cause != none
  std::optional<agent_end> agent;                     // the agent ran and ended
};

struct final_report {
  enum class kind { complete, fail, nothing };
  kind what = kind::nothing;
  std::string error;                                  // fail: what the assigner shows
  std::string output;                                 // complete: the agent's answer
  std::string session_id;                             // complete: Codex's thread id
  std::vector<server::usage_entry> usage;             // sent before the report when not empty
  task_end end = task_end::failed;
  log_note note;                                      // what the daemon logs about it
  bool operator==(const final_report&) const = default;
};

// True when Codex ran to its own end and the task was started: the
// assigner is told "Finishing task" beside the report.
bool ended_on_its_own(const ending_facts& f);

final_report decide_report(const ending_facts& f);

// Why a run failed, in the assigner's words: Codex's own error, or that the
// process exited, with the tail of its stderr when it exited on its own.
std::string failure_text(const std::string& provider, const agent_end& end);

// One entry per model that used tokens this turn.
std::vector<server::usage_entry> usage_entries(const std::string& provider, const std::vector<codex::model_usage>& usage);

}  // namespace multicad::proto::lifecycle
