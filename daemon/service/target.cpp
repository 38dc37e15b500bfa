#include "daemon/service/target.hpp"

namespace multicad::service {
namespace fs = std::filesystem;

std::string_view to_string(platform p) { return p == platform::linux ? "linux" : "darwin"; }
std::string_view to_string(scope s) { return s == scope::system ? "system" : "user"; }

std::vector<std::string> target::systemctl() const {
  if (scope == scope::user) return {"systemctl", "--user"};
  return {"systemctl"};
}

std::string target::launchd_domain() const { return "gui/" + std::to_string(uid); }
std::string target::launchd_service() const { return launchd_domain() + "/" + unit_name; }

std::string target::logs_command(const fs::path& home) const {
  if (platform == platform::darwin)
    return "tail -n 10 " + (home / "Library/Logs/multicad/multicad.log").string();
  return scope == scope::user ? "journalctl --user -u multicad -n 10" : "journalctl -u multicad -n 10";
}

target make_target(platform p, scope s, const fs::path& home, const fs::path& xdg_config_home, unsigned uid) {
  target t{p, s, {}, "multicad.service", uid};
  if (p == platform::darwin) {
    t.unit_name = std::string(launchd_label);
    t.unit_file = home / "Library/LaunchAgents" / (t.unit_name + ".plist");
  } else if (s == scope::system) {
    t.unit_file = "/etc/systemd/system/multicad.service";
  } else {
    // systemd --user reads $XDG_CONFIG_HOME/systemd/user first (systemd.unit(5)).
    fs::path config = xdg_config_home.empty() ? home / ".config" : xdg_config_home;
    t.unit_file = config / "systemd/user/multicad.service";
  }
  return t;
}

}  // namespace multicad::service
