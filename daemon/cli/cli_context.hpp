// What every subcommand shares: the settings flags (one per row of
// config/keys.hpp, accepted before or after the subcommand), --config, and
// the exit status the chosen command sets. Main thread only.
#pragma once

#include <CLI/App.hpp>

#include <optional>
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace multicad::cli {

// Exit statuses of every command.
enum exit_status : int { ok = 0, failed = 1, bad_usage = 2 };

class cli_context {
 public:
  // Adds --config and the settings flags to `app` (and, through
  // fallthrough, to its subcommands).
  void attach(CLI::App& app);

  // Loads settings with the flags given; on error prints it to stderr and
  // returns nullopt (the caller exits with bad_usage).
  std::optional<config::loaded_settings> load_settings() const;
  // The same without printing: the daemon logs the error instead.
  boost::system::result<config::loaded_settings, config::error> try_load_settings() const;

  int status = exit_status::ok;

 private:
  std::string config_file_;
  std::vector<std::string> values_;  // one per settings flag, in all_keys() order
  std::vector<CLI::Option*> options_;
};

void add_config_command(CLI::App& app, cli_context& ctx);
void add_env_command(CLI::App& app, cli_context& ctx);
void add_doctor_command(CLI::App& app, cli_context& ctx);
void add_run_command(CLI::App& app, cli_context& ctx);
void add_local_commands(CLI::App& app, cli_context& ctx);  // submit, tasks
void add_status_command(CLI::App& app, cli_context& ctx);
void add_service_command(CLI::App& app, cli_context& ctx);  // service install|uninstall|status
void add_disk_usage_command(CLI::App& app, cli_context& ctx);

}  // namespace multicad::cli
