// `multicad service install|uninstall|status`: resolves the service
// (service_spec.hpp), plans it (plan.hpp) and, unless a dry run, carries the
// plan out, stopping at the first failure with what to do. Files live under
// `root` and commands go to the runner (tests fake both). Blocking; one at a time.
#pragma once

#include <filesystem>
#include <vector>

#include "daemon/service/command_runner.hpp"
#include "daemon/service/report.hpp"
#include "daemon/service/service_spec.hpp"

namespace multicad::service {

struct options {
  service::scope scope = scope::system;
  bool dry_run = false;           // plan and report; change nothing, run nothing
  std::filesystem::path root = "/";
  bool background = false;        // macOS: ProcessType Background (launchd throttles CPU and I/O)
};

// A second install with the same unit text reports "unchanged" and does not
// restart; a changed unit is replaced atomically and the service restarted.
report install(const host_facts& facts, const options& opt, command_runner& runner);

// Stops, disables and removes the service; keeps config, state and workspaces.
// Nothing installed is not an error ("not installed").
report uninstall(const host_facts& facts, const options& opt, command_runner& runner);

// The unit file (and whether it matches what install would write now), and
// what the service manager says: enabled, active, main PID. Runs only
// read-only commands, even without a dry run.
report status(const host_facts& facts, const options& opt, command_runner& runner);

// Carries out `steps` in order; each done step is appended to r.steps. On the
// first failure sets r.error and returns false.
bool apply(const std::vector<step>& steps, const options& opt, command_runner& runner, report& r);

}  // namespace multicad::service
