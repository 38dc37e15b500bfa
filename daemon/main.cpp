// multicad: turns this machine's Codex CLI into a worker for a Multica task
// server. main() only wires the subcommands (daemon/cli/) together.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/build_info.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/toolbox/multica_main.hpp"
#include "daemon/version.hpp"

namespace {

// The command line as far as it was understood: "multicad config" for
// `multicad config bogus`.
const CLI::App* deepest_parsed(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands())
    if (sub->parsed()) return deepest_parsed(*sub);
  return &app;
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

// CLI11 checks for a missing subcommand before it looks at leftovers, so
// `multicad bogus` would say "A subcommand is required": name what it did
// not know instead.
bool explain_unknown(const CLI::App& app) {
  auto left = app.remaining(true);
  if (left.empty()) return false;
  const auto& word = left.front();
  const auto* deepest = deepest_parsed(app);
  bool has_commands = !deepest->get_subcommands([](const CLI::App*) { return true; }).empty();
  auto where = command_path(deepest);
  std::cerr << where << ": " << (word.starts_with("-") ? "unknown option " : has_commands ? "unknown command " : "unexpected argument ")
            << word << "; see `" << where << " --help`\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace multicad;
  // The agent's `multica` keeps its caller's umask, as the Go CLI does.
  if (toolbox::invoked_as_multica(argv[0])) return toolbox::multica_main(argc, argv);
  // Everything multicad creates (the store, logs, task folders and what the
  // agent writes in them) is private to its user, whatever umask it was
  // started with: prompts, results and code are not for other local users.
  ::umask(077);
  CLI::App app{"multicad: runs Multica tasks with the Codex CLI on this machine", "multicad"};
  app.set_version_flag("--version", version_text(), "print the version, the commit and the build type, and exit");
  app.require_subcommand(1);
  cli::cli_context ctx;
  ctx.attach(app);
  cli::add_config_command(app, ctx);
  cli::add_env_command(app, ctx);
  cli::add_doctor_command(app, ctx);
  cli::add_run_command(app, ctx);
  cli::add_local_commands(app, ctx);
  cli::add_status_command(app, ctx);
  cli::add_service_command(app, ctx);
  cli::add_disk_usage_command(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0 && explain_unknown(app)) return cli::exit_status::bad_usage;
    return app.exit(e) == 0 ? 0 : cli::exit_status::bad_usage;
  }
  return ctx.status;
}
