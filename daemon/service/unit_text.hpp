// The text of multicad's service files: the templates in packaging/ (compiled
// in, so the installer writes what the .deb ships) with their @NAME@
// placeholders filled in, quoted for systemd or escaped for XML.
// Pure functions; any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/service/target.hpp"

namespace multicad::service {

struct unit_inputs {
  std::filesystem::path binary;       // absolute: the multicad executable
  std::filesystem::path config_file;  // absolute: what `run --config` reads
  std::chrono::seconds stop_timeout{90};
  std::vector<std::filesystem::path> writable;   // system unit: ReadWritePaths=
  std::filesystem::path log_file;                // system unit: log.file (LogsDirectory= under /var/log), or empty
  std::vector<std::filesystem::path> path_dirs;  // user unit and plist: PATH, in order
  std::filesystem::path log_dir;                 // plist: where stdout and stderr go
  bool background = false;                       // plist: ProcessType Background instead of Standard
};

// The unit (systemd) or plist (launchd) for `where`.
std::string render_unit(const target& where, const unit_inputs& in);
std::string render_systemd_unit(scope s, const unit_inputs& in);
std::string render_launchd_plist(const unit_inputs& in);

// How long the service manager waits after SIGTERM before SIGKILL: the drain
// (shutdown_grace) plus 60s to stop the agents and deliver their reports, and
// never less than 90s. Rounded up to whole seconds.
std::chrono::seconds stop_timeout_for(std::chrono::nanoseconds shutdown_grace);

// The system unit's LogsDirectory= lines for log.file: its folder below
// /var/log, created by systemd for the service user; a comment when log.file
// is empty or elsewhere.
std::string logs_directory_lines(const std::filesystem::path& log_file);

// One argument on a systemd command line: bare when it is plain, else in
// double quotes with \ and " escaped; % becomes %% and $ becomes $$ either
// way, so systemd expands neither specifiers nor variables.
std::string systemd_quote(std::string_view arg);

// Text for XML content: & < > " ' as entities.
std::string xml_escape(std::string_view text);

// Replaces every @NAME@ in `text` with values.at(NAME). Requires: every
// placeholder has a value (a missing one is a bug; it stays in the output).
std::string fill_template(std::string_view text, const std::map<std::string, std::string>& values);

// config/multicad.example.toml, byte for byte: what a new config file holds.
std::string_view example_config();

}  // namespace multicad::service
