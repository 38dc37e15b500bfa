// `multicad run`: the long-running daemon. Binds the local endpoint (the
// single-instance lock), opens the store, finds the agent CLI, recovers
// tasks a previous instance left running, then serves the server (server
// mode) or the embedded queue (local mode) until SIGINT/SIGTERM. A first
// signal drains gracefully; a second one stops every agent and exits at once.
#pragma once

#include <functional>

#include "config/loader.hpp"

namespace multicad::core {

// Loads the settings again (same file, environment and flags) for SIGHUP;
// the error says why they no longer load (the daemon logs it).
using settings_loader = std::function<boost::system::result<config::loaded_settings, config::error>()>;

// Returns the process exit status: 0 after a clean shutdown, 1 when the
// daemon could not start or run, 2 for configuration errors (an unusable
// log.file among them). Every start-up failure is logged, never printed
// around the log, so it carries its priority under journald. SIGHUP
// reloads the settings and applies what can change live (the log: file
// reopened, level, format); other changes need a restart and are logged.
int run_daemon(const config::loaded_settings& settings, settings_loader reload = {});

}  // namespace multicad::core
