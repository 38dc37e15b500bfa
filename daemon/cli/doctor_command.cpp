// `multicad doctor [--json]`: checks this machine the way the daemon will
// use it and says, for each check, PASS/WARN/FAIL, what it found and what to
// do. Exit status 0 (all pass), 1 (some warn) or 2 (some fail).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/agent/discovery.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/log/log.hpp"
#include "execenv/sandbox_policy.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;

namespace {

enum class verdict { pass, warn, fail };

struct check {
  std::string name;
  verdict status = verdict::pass;
  std::string found;
  std::string action;  // empty when nothing to do
};

std::string_view label(verdict v) { return v == verdict::pass ? "PASS" : v == verdict::warn ? "WARN" : "FAIL"; }

check config_check(const config::loaded_settings& l) {
  check c{"config", verdict::pass, l.file ? "loaded " + l.file->string() : "no config file; defaults and environment", ""};
  if (!l.warnings.empty()) {
    c.status = verdict::warn;
    for (const auto& w : l.warnings) c.action += (c.action.empty() ? "" : " ") + w;
  }
  return c;
}

check server_check(const config::settings& s) {
  if (s.server_url.empty())
    return {"server", verdict::pass, "no server_url: the daemon runs the embedded local mode", ""};
  return {"server", verdict::pass, "server_url " + s.server_url, ""};
}

check codex_check(const agent::discovery& d) {
  const auto& req = agent::codex_requirement();
  if (!d.found)
    return {"codex", verdict::fail, "no executable \"" + d.configured + "\" found",
            "install it with npm install -g @openai/codex, or set agents.codex.path (MULTICA_CODEX_PATH)"};
  const auto& f = *d.found;
  if (!f.usable) return {"codex", verdict::fail, f.path.string() + ": " + f.problem, req.upgrade_hint};
  return {"codex", verdict::pass, f.path.string() + " version " + f.version->to_string() + " (minimum " +
                                      req.minimum.to_string() + ")", ""};
}

check sandbox_check(const execenv::sandbox_policy& p) {
  check c{"sandbox", verdict::pass, p.reason, ""};
  if (p.darwin_fallback) {
    c.status = verdict::warn;
    c.action = "tasks run without a sandbox; set codex.network_access = false to keep workspace-write, or upgrade "
               "Codex once a release fixes macOS network_access (docs/codex-sandbox.md)";
  }
  return c;
}

check codex_home_check(const fs::path& home) {
  std::error_code ec;
  if (!fs::is_directory(home, ec))
    return {"codex login", verdict::warn, home.string() + " does not exist",
            "run `codex login` as the user the daemon runs as, or configure a model provider in config.toml"};
  if (!fs::exists(home / "auth.json", ec))
    return {"codex login", verdict::warn, "no auth.json in " + home.string(),
            "run `codex login` unless config.toml configures a model provider with its own key"};
  return {"codex login", verdict::pass, "auth.json present in " + home.string(), ""};
}

check workspaces_check(const fs::path& root) {
  std::error_code ec;
  fs::path probe = root;
  while (!probe.empty() && !fs::exists(probe, ec)) probe = probe.parent_path();
  if (probe.empty()) return {"workspaces", verdict::fail, "no existing parent of " + root.string(), "set workspaces_root"};
  if (::access(probe.c_str(), W_OK) != 0)
    return {"workspaces", verdict::fail, probe.string() + " is not writable by this user",
            "fix its permissions or set workspaces_root (MULTICA_WORKSPACES_ROOT) elsewhere"};
  struct statvfs vfs{};
  if (::statvfs(probe.c_str(), &vfs) != 0) return {"workspaces", verdict::warn, "cannot read free space of " + probe.string(), ""};
  auto free_gib = static_cast<double>(vfs.f_bavail) * vfs.f_frsize / (1024.0 * 1024 * 1024);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f GiB free", free_gib);
  check c{"workspaces", verdict::pass, root.string() + " writable, " + buf, ""};
  if (free_gib < 1.0) {
    c.status = verdict::warn;
    c.action = "free disk space: each task needs room for its checkout and Codex home";
  }
  return c;
}

check port_check(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {"health port", verdict::warn, "cannot create a socket", ""};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  auto where = "127.0.0.1:" + std::to_string(port);
  if (free) return {"health port", verdict::pass, where + " is free", ""};
  return {"health port", verdict::warn, where + " is in use (a daemon already running, or another program)",
          "check `multicad status`, or set health_port (MULTICA_DAEMON_HEALTH_PORT)"};
}

int report(const std::vector<check>& checks, bool json) {
  verdict worst = verdict::pass;
  for (const auto& c : checks) worst = std::max(worst, c.status);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : checks)
      out.push_back({{"check", c.name}, {"status", label(c.status)}, {"found", c.found}, {"action", c.action}});
    std::cout << nlohmann::json{{"status", label(worst)}, {"checks", out}}.dump(2) << "\n";
  } else {
    for (const auto& c : checks) {
      std::cout << label(c.status) << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ')
                << c.found << "\n";
      if (!c.action.empty()) std::cout << "      -> " << c.action << "\n";
    }
  }
  return worst == verdict::pass ? 0 : worst == verdict::warn ? 1 : 2;
}

int doctor(const cli_context& ctx, bool json) {
  auto loaded = ctx.load_settings();
  if (!loaded) {
    report({{"config", verdict::fail, "the configuration does not load (see above)", "fix the value named above"}}, json);
    return 2;
  }
  const auto& s = loaded->values;
  config::log_settings quiet = s.log;
  quiet.level = "error";  // the checks below say what the WARNs would
  log::setup(quiet);

  agent::version_cache cache;
  auto codex = agent::discover_codex(s, cache);
  std::string version = codex.found && codex.found->version ? codex.found->version->to_string() : "";
  auto policy = execenv::choose_sandbox_policy(s.codex, execenv::host_platform(), version);
  const char* codex_home = std::getenv("CODEX_HOME");
  fs::path shared = codex_home && *codex_home ? fs::path(codex_home) : config::process_inputs().home / ".codex";

  return report({config_check(*loaded), server_check(s), codex_check(codex), codex_home_check(shared),
                 sandbox_check(policy), workspaces_check(s.workspaces_root), port_check(s.health_port)},
                json);
}

}  // namespace

void add_doctor_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand("doctor", "check this machine: config, agent CLI, sandbox, disk, port");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([&ctx, json] { ctx.status = doctor(ctx, *json); });
}

}  // namespace multicad::cli
