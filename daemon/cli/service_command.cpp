// `multicad service install|uninstall|status [--user|--system] [--dry-run]
// [--json]`: runs this binary as a systemd (Linux) or launchd (macOS)
// service. This file only gathers the host's facts and prints the report;
// the work is in daemon/service/installer.hpp.
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "daemon/cli/cli_context.hpp"
#include "daemon/service/installer.hpp"

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

namespace multicad::cli {
namespace fs = std::filesystem;

namespace {

struct service_flags {
  bool user = false, system = false, dry_run = false, json = false, background = false;
  std::string platform;  // hidden: render another platform's files (dry runs only)
};

// This executable's real path: the unit must name the file, not a symlink
// or the relative path it was started by.
fs::path self_path() {
  std::error_code ec;
#if defined(__APPLE__)
  char buf[4096];
  uint32_t size = sizeof buf;
  if (_NSGetExecutablePath(buf, &size) == 0) return fs::canonical(buf, ec);
  return {};
#else
  return fs::read_symlink("/proc/self/exe", ec);
#endif
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

service::host_facts gather_facts(const CLI::App& app, const service_flags& f) {
  service::host_facts h;
#if defined(__APPLE__)
  h.platform = service::platform::darwin;
#endif
  if (f.platform == "darwin") h.platform = service::platform::darwin;
  if (f.platform == "linux") h.platform = service::platform::linux;
  h.uid = ::geteuid();
  h.is_root = h.uid == 0;
  h.binary = self_path();
  h.home = config::process_inputs().home;
  h.xdg_config_home = env_or_empty("XDG_CONFIG_HOME");
  if (const auto* opt = app.get_option("--config"); opt->count() > 0)
    h.config_flag = fs::absolute(opt->as<std::string>());
  h.path_env = env_or_empty("PATH");
  h.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  std::error_code ec;
  h.systemd_running = fs::is_directory("/run/systemd/system", ec);  // sd_booted(3)
  h.service_user_exists = ::getpwnam(std::string(service::service_user).c_str()) != nullptr;
  return h;
}

// Without --user or --system: root gets the system service, anyone else a
// user service of their own; macOS has only the LaunchAgent.
service::scope chosen_scope(const service::host_facts& h, const service_flags& f) {
  if (h.platform == service::platform::darwin && !f.system) return service::scope::user;
  if (f.system) return service::scope::system;
  if (f.user) return service::scope::user;
  return h.is_root ? service::scope::system : service::scope::user;
}

int run_service(const CLI::App& app, const std::string& action, const service_flags& f) {
  auto facts = gather_facts(app, f);
  service::options opt{chosen_scope(facts, f), f.dry_run, "/", f.background};
  if (!f.platform.empty() && !f.dry_run && action != "status") {
    std::cerr << "multicad service: --platform only renders another platform's files; add --dry-run\n";
    return exit_status::bad_usage;
  }
  service::process_runner runner;
  auto r = action == "install" ? service::install(facts, opt, runner)
         : action == "uninstall" ? service::uninstall(facts, opt, runner)
                                 : service::status(facts, opt, runner);
  if (f.json) service::print_json(r, std::cout);
  else service::print_text(r, r.error ? std::cerr : std::cout);
  return r.exit_status;
}

void add_action(CLI::App& app, CLI::App& service_cmd, cli_context& ctx, const std::string& name,
                const std::string& help) {
  auto* cmd = service_cmd.add_subcommand(name, help);
  auto f = std::make_shared<service_flags>();
  auto* user = cmd->add_flag("--user", f->user, "a service of the current user (systemctl --user; macOS: a LaunchAgent)");
  auto* system = cmd->add_flag("--system", f->system, "the system service, run as the user multicad (needs root)");
  user->excludes(system);
  if (name != "status")
    cmd->add_flag("--dry-run", f->dry_run, "print every file in full and every command, in order; change nothing");
  if (name == "install")
    cmd->add_flag("--background", f->background,
                  "macOS: run as a Background process (launchd throttles its CPU and I/O, so tasks run slower)");
  cmd->add_flag("--json", f->json, "print JSON");
  cmd->add_option("--platform", f->platform, "render for linux or darwin (with --dry-run)")
      ->check(CLI::IsMember({"linux", "darwin"}))
      ->group("");
  cmd->callback([&app, &ctx, name, f] { ctx.status = run_service(app, name, *f); });
}

}  // namespace

void add_service_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand(
      "service", "install this binary as a systemd (Linux) or launchd (macOS) service; default scope: "
                 "--system for root, --user otherwise");
  cmd->require_subcommand(1);
  add_action(app, *cmd, ctx, "install",
             "write the unit (or plist) for this binary and its config, then enable and start it; idempotent");
  add_action(app, *cmd, ctx, "uninstall", "stop, disable and remove the service; config and state stay");
  add_action(app, *cmd, ctx, "status", "the unit file, whether it is enabled and running, and how to read its logs");
}

}  // namespace multicad::cli
