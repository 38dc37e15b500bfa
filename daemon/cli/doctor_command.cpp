// `multicad doctor [--json]`: checks this machine the way the daemon will
// use it and says, for each check, PASS/WARN/FAIL, what it found and what to
// do. Exit status 0 (all pass), 1 (some warn) or 2 (some fail).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/cli/cli_context.hpp"
#include "daemon/cli/doctor_checks.hpp"
#include "daemon/log/log.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;

namespace {

std::string_view label(verdict v) { return v == verdict::pass ? "PASS" : v == verdict::warn ? "WARN" : "FAIL"; }

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
      std::cout << label(c.status) << "  " << c.name << std::string(c.name.size() < 13 ? 13 - c.name.size() : 1, ' ')
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
  quiet.file.clear();
  log::setup(quiet);

  agent::version_cache cache;
  auto codex = agent::discover_codex(s, cache);
  std::string version = codex.found && codex.found->version ? codex.found->version->to_string() : "";
  auto policy = execenv::choose_sandbox_policy(s.codex, execenv::host_platform(), version);
  const char* codex_home = std::getenv("CODEX_HOME");
  fs::path shared = codex_home && *codex_home ? fs::path(codex_home) : config::process_inputs().home / ".codex";

  std::vector<check> checks{config_check(*loaded)};
  for (auto& c : server_checks(s)) checks.push_back(std::move(c));
  checks.push_back(codex_check(codex));
  checks.push_back(codex_home_check(shared));
  checks.push_back(sandbox_policy_check(policy));
  checks.push_back(sandbox_runs_check(codex, policy, s.state_dir / "doctor"));
  checks.push_back(workspaces_check(s.workspaces_root));
  checks.push_back(disk_check(s));
  checks.push_back(port_check(s.health_port));
  checks.push_back(toolbox_check(s, policy));
  std::error_code ec;
  fs::remove_all(s.state_dir / "doctor", ec);
  return report(checks, json);
}

}  // namespace

void add_doctor_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand(
      "doctor", "check this machine: config, server and token, agent CLI, sandbox, disk, port (exit 0/1/2)");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([&ctx, json] { ctx.status = doctor(ctx, *json); });
}

}  // namespace multicad::cli
