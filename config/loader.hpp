// Builds the effective settings from, in rising precedence: defaults < the
// Multica CLI's config file (server_url, workspaces_root and the newer
// CLI's daemon keys, so a machine where `multica login` ran needs nothing
// else) < config file (TOML) < environment (MULTICA_*) < command-line flags.
// A profile (`profile`, MULTICA_PROFILE) also picks the reference daemon's
// defaults for it: health port 19515 + (sum of the name's bytes mod 1000),
// ~/multica_workspaces_<profile>, and a state folder of its own.
// Every invalid value is an error naming its source (file:line, variable or
// flag) and the bad value. Pure apart from reading the config file; any thread.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace multicad::config {

// multica_cli: the Multica CLI's own config file (~/.multica/config.json, or
// profiles/<profile>/config.json), below multicad's file (agent-toolbox.md §10).
enum class origin_kind { built_in, multica_cli, file, env, flag };

struct origin {
  origin_kind kind = origin_kind::built_in;
  std::string where;  // "/etc/multicad/config.toml:12", "MULTICA_GC_TTL", "--gc-ttl"
  std::string describe() const;  // "default", "file /x.toml:3", "env MULTICA_X", "flag --x"
};

struct error {
  std::string source;   // where the bad value came from, as origin::where
  std::string message;  // what is wrong and what is expected
  std::string to_string() const { return source.empty() ? message : source + ": " + message; }
};

struct flag_value {
  std::string name;  // long flag without dashes, e.g. "poll-interval"
  std::string value;
};

struct load_inputs {
  std::optional<std::filesystem::path> config_file;  // --config; must exist when given
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::vector<flag_value> flags;
  std::string hostname;
  std::filesystem::path home;
  std::filesystem::path cwd;
  std::filesystem::path system_config_dir = "/etc/multicad";
};

struct loaded_settings {
  settings values;
  std::map<std::string, origin, std::less<>> origins;  // one per key of all_keys()
  std::optional<std::filesystem::path> file;           // the config file read, if any
  std::vector<std::string> warnings;                   // valid but probably unintended values
};

// The config file to read when --config is absent: $XDG_CONFIG_HOME/multicad/
// config.toml (or ~/.config/multicad/config.toml when XDG_CONFIG_HOME is
// unset), else <system_config_dir>/config.toml; nullopt when neither exists.
std::optional<std::filesystem::path> find_config_file(const load_inputs& in);

boost::system::result<loaded_settings, error> load(const load_inputs& in);

// load_inputs for this process: real environment, host name, home, cwd.
load_inputs process_inputs();

}  // namespace multicad::config

namespace multicad::config {
// Lets boost::system::result<T, error>::value() throw on misuse.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);
}  // namespace multicad::config
