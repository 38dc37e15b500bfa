// Where multicad's service lives on a host: which service manager, which of
// its scopes, the file the unit (or plist) goes to, and the names the manager
// knows it by. Pure values; any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::service {

enum class platform { linux, darwin };   // systemd, launchd
enum class scope { system, user };        // launchd: only user (a LaunchAgent)

std::string_view to_string(platform p);
std::string_view to_string(scope s);

// The identity and home of the system unit's dedicated user.
inline constexpr std::string_view service_user = "multicad";
inline constexpr std::string_view service_home = "/var/lib/multicad";
inline constexpr std::string_view launchd_label = "com.multica.multicad";

struct target {
  service::platform platform = platform::linux;
  service::scope scope = scope::system;
  std::filesystem::path unit_file;  // real path, e.g. /etc/systemd/system/multicad.service
  std::string unit_name;            // "multicad.service"; launchd: the label
  unsigned uid = 0;                 // launchd's domain is gui/<uid>

  // {"systemctl"} or {"systemctl", "--user"}.
  std::vector<std::string> systemctl() const;
  std::string launchd_domain() const;   // "gui/501"
  std::string launchd_service() const;  // "gui/501/com.multica.multicad"
  // The command an operator runs to read the last lines of the log.
  std::string logs_command(const std::filesystem::path& home) const;
};

// system: /etc/systemd/system/multicad.service; user: $XDG_CONFIG_HOME (or
// ~/.config)/systemd/user/multicad.service; darwin: ~/Library/LaunchAgents/<label>.plist.
// Requires: darwin only with scope::user (the caller reports the error).
target make_target(platform p, scope s, const std::filesystem::path& home,
                   const std::filesystem::path& xdg_config_home, unsigned uid);

}  // namespace multicad::service
