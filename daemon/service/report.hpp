// What `multicad service install|uninstall|status` did or would do: one value
// the installer fills and the CLI prints as text or JSON (a dry run's text
// shows every file in full and every command, in order). Pure; any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/service/plan.hpp"
#include "daemon/service/target.hpp"
#include "daemon/service/unit_state.hpp"

namespace multicad::service {

struct failure {
  std::string message;  // what failed, naming the file or the command and its exit status
  std::string output;   // what the command printed, if one failed
  std::string hint;     // what to do
};

struct report {
  std::string action;  // "install", "uninstall", "status"
  target where;
  bool dry_run = false;
  std::optional<service::verdict> verdict;
  std::filesystem::path config_file;  // install: what the unit runs with
  std::vector<step> steps;            // dry run: planned; otherwise: the ones carried out
  std::vector<std::string> notes;
  std::optional<failure> error;
  // status only
  bool installed = false;
  std::string unit_file_note;  // "up to date", "from the multicad package", …
  std::optional<unit_state> state;
  std::string logs_command;

  // 0: done (status: running); 1: failed; 2: bad usage or configuration;
  // 3: status of a service that is not running or not installed (as systemctl).
  int exit_status = 0;
};

void print_text(const report& r, std::ostream& out);
void print_json(const report& r, std::ostream& out);

// "0644".
std::string octal_mode(std::filesystem::perms mode);

}  // namespace multicad::service
