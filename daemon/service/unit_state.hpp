// What the service manager says about the service, parsed from the text of
// `systemctl show -p …` or `launchctl print gui/<uid>/<label>`. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace multicad::service {

struct unit_state {
  std::string active;   // systemd ActiveState (active, inactive, failed, activating, …); launchd: running, not running
  std::string sub;      // systemd SubState (running, dead, auto-restart, …); launchd: its own state word
  std::string enabled;  // systemd UnitFileState (enabled, disabled, …); launchd: loaded
  long main_pid = 0;    // 0: not running
  std::string status;   // systemd StatusText (the daemon's STATUS=); launchd: "last exit code = …"
  bool running() const { return active == "active" || active == "reloading" || active == "running"; }
};

// The properties `systemctl show` needs to print for parse_systemctl_show.
std::vector<std::string> systemctl_show_properties();  // {"-p", "ActiveState,SubState,…"}

// Lines of `Key=Value`; unknown keys are ignored, missing ones stay empty.
unit_state parse_systemctl_show(std::string_view text);

// `launchctl print` of a loaded service: "state = running", "pid = 123",
// "last exit code = 0" inside the service's block.
unit_state parse_launchctl_print(std::string_view text);

}  // namespace multicad::service
