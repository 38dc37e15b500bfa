// `multicad run`: start the daemon in the foreground (services run it so).
#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"
#include "daemon/core/daemon.hpp"

namespace multicad::cli {

void add_run_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand(
      "run", "run the daemon in the foreground: serve the Multica server (server_url set) or the local task queue");
  cmd->callback([&ctx] {
    auto loaded = ctx.load_settings();
    ctx.status = loaded ? core::run_daemon(*loaded, [&ctx] { return ctx.load_settings(); }) : exit_status::bad_usage;
  });
}

}  // namespace multicad::cli
