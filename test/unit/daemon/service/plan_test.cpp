// Install and uninstall plans: which files and commands, in which order, and
// nothing at all to restart when the unit is unchanged.
#include "daemon/service/plan.hpp"

#include <catch2/catch.hpp>

using namespace multicad;
using kind = service::step::kind;

namespace {

service::install_inputs linux_system() {
  service::install_inputs in;
  in.where = service::make_target(service::platform::linux, service::scope::system, "/root", "", 0);
  in.unit_text = "[Service]\nExecStart=/usr/bin/multicad run\n";
  in.config_file = "/etc/multicad/config.toml";
  return in;
}

std::vector<std::vector<std::string>> commands(const service::plan& p) {
  std::vector<std::vector<std::string>> out;
  for (const auto& s : p.steps)
    if (s.what == kind::run) out.push_back(s.argv);
  return out;
}

using argv = std::vector<std::string>;

}  // namespace

TEST_CASE("a first install writes the unit then reloads and enables it now", "[service][plan]") {
  auto p = service::plan_install(linux_system());
  CHECK(p.verdict == service::verdict::fresh);
  REQUIRE(p.steps.size() == 3);
  CHECK(p.steps[0].what == kind::write_file);
  CHECK(p.steps[0].path == "/etc/systemd/system/multicad.service");
  CHECK(p.steps[0].content == linux_system().unit_text);
  CHECK(p.steps[0].mode == std::filesystem::perms(0644));
  CHECK(commands(p) == std::vector<argv>{argv{"systemctl", "daemon-reload"}, argv{"systemctl", "enable", "--now", "multicad.service"}});
}

TEST_CASE("an unchanged unit is not written and not restarted", "[service][plan]") {
  auto in = linux_system();
  in.current_text = in.unit_text;
  auto p = service::plan_install(in);
  CHECK(p.verdict == service::verdict::unchanged);
  CHECK(commands(p) == std::vector<argv>{argv{"systemctl", "enable", "--now", "multicad.service"}});
  CHECK(p.steps.size() == 1);
}

TEST_CASE("a changed unit is rewritten and the service restarted", "[service][plan]") {
  auto in = linux_system();
  in.current_text = "[Service]\nExecStart=/old/multicad run\n";
  auto p = service::plan_install(in);
  CHECK(p.verdict == service::verdict::changed);
  CHECK(p.steps[0].what == kind::write_file);
  CHECK(commands(p) == std::vector<argv>{argv{"systemctl", "daemon-reload"}, argv{"systemctl", "enable", "multicad.service"},
                                   argv{"systemctl", "restart", "multicad.service"}});
}

TEST_CASE("a system install without the service user creates it and the config first", "[service][plan]") {
  auto in = linux_system();
  in.create_service_user = true;
  in.new_config = "# example\n";
  auto p = service::plan_install(in);
  REQUIRE(p.steps.size() == 7);
  CHECK(p.steps[0].argv == argv{"useradd", "--system", "--user-group", "--home-dir", "/var/lib/multicad",
                                "--no-create-home", "--shell", "/usr/sbin/nologin", "multicad"});
  CHECK(p.steps[1].argv == argv{"install", "-d", "-o", "multicad", "-g", "multicad", "-m", "0700", "/var/lib/multicad"});
  CHECK(p.steps[2].what == kind::write_file);
  CHECK(p.steps[2].path == "/etc/multicad/config.toml");
  CHECK(p.steps[2].content == "# example\n");
  CHECK(p.steps[2].mode == std::filesystem::perms(0640));
  CHECK(p.steps[3].argv == argv{"chgrp", "multicad", "/etc/multicad/config.toml"});
  CHECK(p.steps[4].path == "/etc/systemd/system/multicad.service");
}

TEST_CASE("user units go through systemctl --user", "[service][plan]") {
  auto in = linux_system();
  in.where = service::make_target(service::platform::linux, service::scope::user, "/home/ada", "", 1000);
  auto p = service::plan_install(in);
  CHECK(p.steps[0].path == "/home/ada/.config/systemd/user/multicad.service");
  CHECK(commands(p) == std::vector<argv>{argv{"systemctl", "--user", "daemon-reload"},
                                   argv{"systemctl", "--user", "enable", "--now", "multicad.service"}});
}

TEST_CASE("macOS installs bootstrap the LaunchAgent and replace a changed one", "[service][plan]") {
  auto in = linux_system();
  in.where = service::make_target(service::platform::darwin, service::scope::user, "/Users/ada", "", 501);
  in.dirs = {"/Users/ada/Library/Logs/multicad"};
  auto fresh = service::plan_install(in);
  REQUIRE(fresh.steps.size() == 3);
  CHECK(fresh.steps[0].what == kind::make_dir);
  CHECK(fresh.steps[1].path == "/Users/ada/Library/LaunchAgents/com.multica.multicad.plist");
  CHECK(commands(fresh) ==
        std::vector<argv>{argv{"launchctl", "bootstrap", "gui/501", "/Users/ada/Library/LaunchAgents/com.multica.multicad.plist"}});

  in.current_text = "old";
  auto changed = service::plan_install(in);
  CHECK(commands(changed) ==
        std::vector<argv>{argv{"launchctl", "bootout", "gui/501/com.multica.multicad"},
                    argv{"launchctl", "bootstrap", "gui/501", "/Users/ada/Library/LaunchAgents/com.multica.multicad.plist"}});
  CHECK(changed.steps[2].may_fail);  // bootout of a service that is not loaded

  in.current_text = in.unit_text;
  CHECK(commands(service::plan_install(in)).empty());
}

TEST_CASE("uninstall stops disables removes and reloads in that order", "[service][plan]") {
  auto t = service::make_target(service::platform::linux, service::scope::system, "/root", "", 0);
  auto p = service::plan_uninstall(t, true);
  CHECK(p.verdict == service::verdict::removed);
  REQUIRE(p.steps.size() == 3);
  CHECK(p.steps[0].argv == argv{"systemctl", "disable", "--now", "multicad.service"});
  CHECK(p.steps[1].what == kind::remove_file);
  CHECK(p.steps[1].path == "/etc/systemd/system/multicad.service");
  CHECK(p.steps[2].argv == argv{"systemctl", "daemon-reload"});

  auto nothing = service::plan_uninstall(t, false);
  CHECK(nothing.verdict == service::verdict::absent);
  CHECK(nothing.steps.empty());

  auto mac = service::make_target(service::platform::darwin, service::scope::user, "/Users/ada", "", 501);
  auto m = service::plan_uninstall(mac, true);
  CHECK(commands(m) == std::vector<argv>{argv{"launchctl", "bootout", "gui/501/com.multica.multicad"}});
  CHECK(m.steps[1].what == kind::remove_file);
}
