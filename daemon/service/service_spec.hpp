// Decides what the service will be on this host: its unit file, its config
// file (created if missing) and the values its text is rendered from. Loads
// that config as the service will see it, so a bad config fails the install,
// not the boot. Reads files only; any thread.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/service/target.hpp"
#include "daemon/service/unit_text.hpp"

namespace multicad::service {

// What the installing process knows about the host. The CLI gathers it
// (service_command.cpp); tests write it by hand.
struct host_facts {
  service::platform platform = platform::linux;
  unsigned uid = 0;
  bool is_root = false;
  std::filesystem::path binary;           // this executable, symlinks resolved
  std::filesystem::path home;             // $HOME of the installing user
  std::filesystem::path xdg_config_home;  // empty: unset
  std::optional<std::filesystem::path> config_flag;  // --config, made absolute
  std::string path_env;                   // $PATH of the installing user
  std::function<std::optional<std::string>(const std::string&)> getenv;  // its environment
  bool systemd_running = false;           // /run/systemd/system exists (sd_booted())
  bool service_user_exists = false;       // the `multicad` user exists
};

struct service_spec {
  target where;
  std::filesystem::path config_file;
  bool create_config = false;  // config_file does not exist: write the example there
  unit_inputs unit;
  std::vector<std::string> notes;  // worth acting on; printed after the outcome
};

struct spec_error {
  std::string message;  // what is wrong, naming the file or flag
  std::string hint;     // what to do
};

// The config file the service runs with: --config when given; for the system
// unit /etc/multicad/config.toml; for a user service the file `multicad config
// show` would read, else $XDG_CONFIG_HOME/multicad/config.toml (or
// ~/.config/…). Missing files are created from the example.
std::filesystem::path choose_config_file(scope s, const host_facts& facts, const std::filesystem::path& root);

// `root` prefixes every file this reads ("/" on a real host, a temp folder in tests).
boost::system::result<service_spec, spec_error> resolve_spec(scope s, const host_facts& facts,
                                                             const std::filesystem::path& root);

// `path` under `root` ("/etc/x" under "/tmp/r" is "/tmp/r/etc/x").
std::filesystem::path rooted(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace multicad::service

namespace multicad::service {
[[noreturn]] void throw_exception_from_error(const spec_error& e, const boost::source_location& loc);
}  // namespace multicad::service
