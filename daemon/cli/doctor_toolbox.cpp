// The toolbox check of `multicad doctor`: which `multica` the agents get,
// that it runs as the Multica CLI, whether their sandbox can reach the
// daemon's endpoint, and that a running daemon forwards their calls.
#include "daemon/cli/doctor_checks.hpp"
#include "daemon/cli/local_http.hpp"
#include "daemon/service/command_runner.hpp"
#include "daemon/toolbox/agent_bin.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;
check toolbox_check(const config::settings& s, const execenv::sandbox_policy& p) {
  if (s.server_url.empty())
    return {"agent toolbox", verdict::pass, "local mode: agents get no multica command (there is no server to talk to)", ""};
  const auto link = s.state_dir / "bin" / toolbox::multica_command_name;
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(link, ec)))
    return {"agent toolbox", verdict::warn, "agents will get " + link.string() + " once the daemon starts (not made yet)",
            "start the daemon, then run doctor again to check the agents' multica"};
  std::string found = "agents get " + link.string() + " -> " + fs::read_symlink(link, ec).string();
  service::process_runner runner(std::chrono::seconds(10));
  auto version = runner.run({link.string(), "version"});
  if (!version.ok() || version.output.find("multica") == std::string::npos)
    return {"agent toolbox", verdict::fail, found + "; it does not run as the Multica CLI: " + version.output,
            "restart the daemon so it links " + link.string() + " to the multicad binary again"};
  if (p.mode != execenv::sandbox_mode::danger_full_access && !p.network_access)
    return {"agent toolbox", verdict::warn, found + "; but the sandbox has no network, so agents cannot reach the daemon's "
                                            "endpoint (no multica issue, comment or repo checkout)",
            "set codex.network_access = true if agents should use Multica; their final answer still reaches the issue"};
  // A running daemon answers an API call without a task capability with the server's 401: its forwarder is live.
  auto probe = local_http(s.health_port, "GET", "/api/issues", std::chrono::milliseconds(2000));
  if (!probe) return {"agent toolbox", verdict::pass, found + "; no daemon runs to ask whether it forwards", ""};
  if (probe->status != 401)
    return {"agent toolbox", verdict::fail,
            found + "; 127.0.0.1:" + std::to_string(s.health_port) + " answered GET /api/issues with " +
                std::to_string(probe->status) + ", not the forwarder's 401",
            "another program holds health_port, or the daemon is in local mode: check `multicad status`"};
  return {"agent toolbox", verdict::pass, found + "; the daemon's endpoint forwards agent calls", ""};
}
}  // namespace multicad::cli
