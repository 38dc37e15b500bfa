// Finds an agent CLI the way the daemon registers runtimes: resolve the
// configured executable, detect its version through the cache, and say at
// WARN why a runtime will not be registered. Blocking (it may probe): call
// from a worker thread in the daemon.
#pragma once

#include <optional>
#include <string>

#include "config/settings.hpp"
#include "daemon/agent/version_cache.hpp"

namespace multicad::agent {

struct discovery {
  std::string configured;  // agents.codex.path as set
  std::optional<detection> found;  // empty: no executable found
  bool usable() const { return found && found->usable; }
};

// Looks up codex per `s.codex_agent.path` and $PATH. Logs one WARN when the
// CLI is missing or unusable, and INFO when a probe found a usable version.
discovery discover_codex(const config::settings& s, version_cache& cache);

}  // namespace multicad::agent
