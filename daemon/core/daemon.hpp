// `multicad run`: the long-running daemon. Binds the local endpoint (the
// single-instance lock), opens the store, finds the agent CLI, recovers
// tasks a previous instance left running, then serves the server (server
// mode) or the embedded queue (local mode) until SIGINT/SIGTERM. A first
// signal drains gracefully; a second one stops every agent and exits at once.
#pragma once

#include "config/loader.hpp"

namespace multicad::core {

// Returns the process exit status: 0 after a clean shutdown, 1 when the
// daemon could not start or run, 2 for configuration errors.
int run_daemon(const config::loaded_settings& settings);

}  // namespace multicad::core
