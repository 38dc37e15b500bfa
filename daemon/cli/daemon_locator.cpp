#include "daemon/cli/daemon_locator.hpp"

#include "daemon/core/daemon_record.hpp"

namespace multicad::cli {

daemon_address locate_daemon(const config::settings& s) {
  // A record whose pid is gone was left by a daemon that could not clean up
  // (SIGKILL, power loss): the configured port is the better guess then.
  if (auto r = core::read_daemon_record(s.state_dir); r && core::process_alive(r->pid))
    return {r->port, (s.state_dir / core::daemon_record_file).string() + " (pid " + std::to_string(r->pid) + ")"};
  return {s.health_port, "health_port"};
}

}  // namespace multicad::cli
