// What installing or removing the service takes, as ordered steps (folder,
// file, command), decided without touching anything: --dry-run prints the
// plan, installer.hpp runs it. A unit equal to the file on disk plans no write
// and no restart. Pure; any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "daemon/service/target.hpp"

namespace multicad::service {

struct step {
  enum class kind { make_dir, write_file, remove_file, run };
  kind what = kind::run;
  std::filesystem::path path;  // make_dir, write_file, remove_file
  std::string content;         // write_file
  std::filesystem::perms mode = std::filesystem::perms::none;  // write_file, make_dir
  std::vector<std::string> argv;  // run: no shell; argv[0] is looked up on PATH
  bool may_fail = false;  // run: a failure is reported but the plan goes on (bootout of a service not loaded)
  std::string why;        // one line for the operator
};

// fresh: not installed before; changed: rewritten and restarted; unchanged:
// nothing to write; removed: uninstalled; absent: nothing to uninstall.
enum class verdict { fresh, changed, unchanged, removed, absent };
std::string_view to_string(verdict v);

struct plan {
  service::verdict verdict = verdict::unchanged;
  std::vector<step> steps;
};

struct install_inputs {
  target where;
  std::string unit_text;                    // render_unit(where, …)
  std::optional<std::string> current_text;  // the unit file on disk now; nullopt: none
  std::filesystem::path config_file;
  std::optional<std::string> new_config;    // write config_file with this: it does not exist yet
                                            // (system scope: 0640 root:multicad, as the .deb; user: 0600)
  bool create_service_user = false;         // system scope and the `multicad` user is missing
  std::vector<std::filesystem::path> dirs;  // must exist before the service starts (launchd's log folder)
};

plan plan_install(const install_inputs& in);

// Stops and disables the service, removes the unit file, reloads the
// manager. Config, state and workspaces stay (the caller says so).
plan plan_uninstall(const target& where, bool unit_present);

}  // namespace multicad::service
