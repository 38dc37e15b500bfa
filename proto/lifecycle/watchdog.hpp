// The liveness watchdogs of one turn (docs/operations.md, "Liveness"),
// sans I/O: which limits run after each sign of life Codex gives
// (codex::activity), and the failure reason when one expires. The task
// machine turns the changes into timers and a stop. Single-threaded.
//
// Three watches, each a timer that every relevant sign of life re-arms:
//   idle        no message at all for `idle`, or for `tool` while a tool
//               call (command, patch, MCP call) is in flight;
//   progress    no progress (an item, a delta, an error, a diff) for
//               `semantic`; suspended while a tool call is in flight;
//   first_item  no real item within `first_turn` of the turn's start.
// All start when the turn starts and stop when it ends; 0 turns one off.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "proto/codex/activity.hpp"

namespace multicad::proto::lifecycle {

struct watchdog_limits {
  std::chrono::milliseconds idle{std::chrono::minutes(30)};        // MULTICA_AGENT_IDLE_WATCHDOG
  std::chrono::milliseconds tool{std::chrono::hours(2)};           // MULTICA_AGENT_TOOL_WATCHDOG
  std::chrono::milliseconds semantic{std::chrono::minutes(10)};    // MULTICA_CODEX_SEMANTIC_INACTIVITY_TIMEOUT
  std::chrono::milliseconds first_turn{std::chrono::minutes(3)};   // MULTICA_CODEX_FIRST_TURN_TIMEOUT
};

enum class watch { idle, progress, first_item };
constexpr std::size_t watch_count = 3;

// Arm `which` to fire `after` from now (replacing an armed one), or cancel it.
struct watch_change {
  watch which;
  std::optional<std::chrono::milliseconds> arm;  // nullopt: cancel
  bool operator==(const watch_change&) const = default;
};

class watchdog {
 public:
  watchdog(watchdog_limits limits, std::string provider);

  std::vector<watch_change> observe(const codex::activity& a);
  // The watch expired: why the agent is stopped. Disarms it.
  std::string fire(watch which);
  // Cancels whatever is armed (the turn is over, or the agent is stopping).
  std::vector<watch_change> stop();

  bool armed(watch which) const { return armed_[index(which)]; }
  // What the armed watch enforces, for `multicad status`: "idle", "tool",
  // "semantic" or "first turn", and its window.
  std::string label(watch which) const;
  std::chrono::milliseconds window(watch which) const;

 private:
  static std::size_t index(watch w) { return static_cast<std::size_t>(w); }
  void set(std::vector<watch_change>& out, watch which, std::chrono::milliseconds after);
  void cancel(std::vector<watch_change>& out, watch which);

  watchdog_limits limits_;
  std::string provider_;
  bool started_ = false, ended_ = false, tool_ = false, item_seen_ = false;
  codex::activity last_event_, last_progress_, turn_start_;
  std::array<bool, watch_count> armed_{};
};

// Go's Duration.String() for whole milliseconds ("30m0s", "2h0m0s", "1.5s", "250ms").
std::string go_duration(std::chrono::milliseconds d);
// "2026-12-04T10:01:02Z"
std::string utc_seconds(std::chrono::system_clock::time_point t);

}  // namespace multicad::proto::lifecycle
