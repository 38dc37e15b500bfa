// `multicad run`: start the daemon in the foreground (services run it so).
#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"
#include "daemon/core/daemon.hpp"
#include "daemon/log/log.hpp"

namespace multicad::cli {

void add_run_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand(
      "run", "run the daemon in the foreground: serve the Multica server (server_url set) or the local task queue");
  cmd->callback([&ctx] {
    auto loaded = ctx.try_load_settings();
    if (!loaded) {
      // Through the log, so under journald it carries its priority (-p err finds it).
      log::error("cannot start: invalid configuration",
                 {{"error", loaded.error().to_string()},
                  {"hint", "fix the value named in error=; `multicad config show` checks the configuration"}});
      ctx.status = exit_status::bad_usage;
      return;
    }
    ctx.status = core::run_daemon(*loaded, [&ctx] { return ctx.try_load_settings(); });
  });
}

}  // namespace multicad::cli
