// multicad: turns this machine's Codex CLI into a worker for a Multica task
// server. main() only wires the subcommands (daemon/cli/) together.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/cli/cli_context.hpp"
#include "daemon/toolbox/multica_main.hpp"
#include "daemon/version.hpp"

int main(int argc, char** argv) {
  using namespace multicad;
  // The agent's `multica` keeps its caller's umask, as the Go CLI does.
  if (toolbox::invoked_as_multica(argv[0])) return toolbox::multica_main(argc, argv);
  // Everything multicad creates (the store, logs, task folders and what the
  // agent writes in them) is private to its user, whatever umask it was
  // started with: prompts, results and code are not for other local users.
  ::umask(077);
  CLI::App app{"multicad: runs Multica tasks with the Codex CLI on this machine", "multicad"};
  app.set_version_flag("--version", std::string(multicad_version));
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : cli::exit_status::bad_usage;
  }
  return ctx.status;
}
