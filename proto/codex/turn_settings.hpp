// The per-agent settings a claimed task carries for Codex (spec
// agent-toolbox.md §11.4: agent.model, agent.thinking_level,
// agent.service_tier), checked as untrusted input against what the Codex
// release accepts (proto/codex/releases.hpp) before Codex starts. Pure; any thread.
#pragma once

#include <optional>
#include <string>

#include "proto/codex/releases.hpp"

namespace multicad::proto::codex {

struct turn_settings {
  std::string model;         // thread/start `model`; empty: the daemon's or Codex's default
  std::string effort;        // thread/start config.model_reasoning_effort, turn/start `effort`
  std::string service_tier;  // thread/start, thread/resume and turn/start `serviceTier`
};

// Empty when Codex `codex` (nullopt: not known yet) accepts the settings;
// otherwise why not, for the task's error ("agent.thinking_level \"turbo\" is
// not one of none, minimal, low, medium, high, xhigh (codex 0.120.0)").
std::string check_turn_settings(const turn_settings& s, const std::optional<release>& codex);

}  // namespace multicad::proto::codex
