// What Codex did during the turn, for the liveness watchdogs
// (proto/lifecycle/watchdog.hpp): one record per message Codex sent while
// the turn ran, whether or not it becomes a forwarded event (output and
// reasoning deltas, item/started, usage updates count as signs of life
// too). Drained with session::take_activity(). Pure data; any thread.
#pragma once

#include <chrono>
#include <string>

namespace multicad::proto::codex {

struct activity {
  enum class kind {
    turn_started,  // turn/start answered: the watchdogs start here
    item,          // a real item started or completed (not the echo of the prompt)
    progress,      // a delta, an error, a diff or plan, an approval request: the agent works
    other,         // status, usage, a retry, another thread's traffic: alive, not progressing
    turn_ended,    // the session finished during the turn (turn/completed, a fatal reply)
  };
  kind what = kind::other;
  // `item/started commandExecution "npm test"`: the method and, for items,
  // the type and a short quoted subject. Bounded (about 160 bytes) and
  // escaped: it is Codex's (and so the agent's) text, written into logs
  // and the task's failure reason.
  std::string description;
  bool tool_in_flight = false;  // after this message, a tool call has started and not completed
  // When the daemon read the message; the session has no clock, the shell stamps it.
  std::chrono::system_clock::time_point at{};
};

}  // namespace multicad::proto::codex
