// The installer against a host that exists only under a temp root, with a
// runner that records commands instead of running systemctl.
#include "daemon/service/installer.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "test/support/temp_dir.hpp"
#include "test/unit/daemon/service/fakes.hpp"

using namespace multicad;
using Catch::Contains;
namespace fs = std::filesystem;
using argv = std::vector<std::string>;

namespace {

struct host {
  test::temp_dir root;
  service::host_facts facts = test::linux_host();
  test::recording_runner runner;

  service::report install(service::scope s = service::scope::system, bool dry_run = false) {
    return service::install(facts, {s, dry_run, root.path()}, runner);
  }
  fs::path at(const fs::path& p) const { return service::rooted(root.path(), p); }
  ino_t inode(const fs::path& p) const {
    struct stat st{};
    ::stat(at(p).c_str(), &st);
    return st.st_ino;
  }
};

const fs::path system_unit = "/etc/systemd/system/multicad.service";

std::string text(const service::report& r) {
  std::ostringstream out;
  service::print_text(r, out);
  return out.str();
}

}  // namespace

TEST_CASE("a system install writes the config and unit then enables the service", "[service][installer]") {
  host h;
  h.facts.service_user_exists = false;
  auto r = h.install();
  INFO(text(r));
  REQUIRE_FALSE(r.error);
  CHECK(r.exit_status == 0);
  CHECK(r.verdict == service::verdict::fresh);
  CHECK(test::read_file(h.at("/etc/multicad/config.toml")) == std::string(service::example_config()));
  // As the .deb leaves it: root and the service's group may read it (the token may be in it).
  CHECK((fs::status(h.at("/etc/multicad/config.toml")).permissions() & fs::perms::all) == fs::perms(0640));
  auto unit = test::read_file(h.at(system_unit));
  CHECK_THAT(unit, Contains("ExecStart=/usr/local/bin/multicad run --config /etc/multicad/config.toml\n"));
  CHECK_THAT(unit, Contains("ReadWritePaths=-/var/lib/multicad/multica_workspaces\n"));
  CHECK((fs::status(h.at(system_unit)).permissions() & fs::perms::all) == fs::perms(0644));
  REQUIRE(h.runner.calls.size() == 5);
  CHECK(h.runner.calls[0][0] == "useradd");
  CHECK(h.runner.calls[1][0] == "install");
  CHECK(h.runner.calls[2] == argv{"chgrp", "multicad", "/etc/multicad/config.toml"});
  CHECK(h.runner.calls[3] == argv{"systemctl", "daemon-reload"});
  CHECK(h.runner.calls[4] == argv{"systemctl", "enable", "--now", "multicad.service"});
  CHECK_THAT(text(r), Contains("multicad.service (system): installed, running with /etc/multicad/config.toml"));
}

TEST_CASE("a second identical install reports unchanged and restarts nothing", "[service][installer]") {
  host h;
  REQUIRE_FALSE(h.install().error);
  auto before = h.inode(system_unit);
  h.runner.calls.clear();

  auto again = h.install();
  REQUIRE_FALSE(again.error);
  CHECK(again.verdict == service::verdict::unchanged);
  CHECK(h.inode(system_unit) == before);  // not even rewritten
  CHECK(h.runner.calls == std::vector<argv>{argv{"systemctl", "enable", "--now", "multicad.service"}});
  CHECK_THAT(text(again), Contains("multicad.service (system): unchanged"));
}

TEST_CASE("a changed unit is replaced atomically and the service restarted", "[service][installer]") {
  host h;
  REQUIRE_FALSE(h.install().error);
  auto before = h.inode(system_unit);
  h.runner.calls.clear();
  h.facts.binary = "/opt/multicad/bin/multicad";  // e.g. installed under a new prefix

  auto r = h.install();
  REQUIRE_FALSE(r.error);
  CHECK(r.verdict == service::verdict::changed);
  CHECK(h.inode(system_unit) != before);  // a new file renamed over the old one
  CHECK_THAT(test::read_file(h.at(system_unit)), Contains("ExecStart=/opt/multicad/bin/multicad run"));
  CHECK(h.runner.calls == std::vector<argv>{argv{"systemctl", "daemon-reload"}, argv{"systemctl", "enable", "multicad.service"},
                                      argv{"systemctl", "restart", "multicad.service"}});
}

TEST_CASE("a dry run prints the files in full and the commands and changes nothing", "[service][installer]") {
  host h;
  auto r = h.install(service::scope::system, true);
  REQUIRE_FALSE(r.error);
  CHECK(h.runner.calls.empty());
  CHECK_FALSE(fs::exists(h.at("/etc")));
  auto out = text(r);
  CHECK_THAT(out, Contains("----- begin /etc/multicad/config.toml -----\n" + std::string(service::example_config())));
  CHECK_THAT(out, Contains("----- begin /etc/systemd/system/multicad.service -----\n# multicad as a system service"));
  CHECK_THAT(out, Contains("Type=notify") && Contains("KillMode=mixed") && Contains("/usr/local/bin/multicad"));
  auto reload = out.find("run: systemctl daemon-reload"), enable = out.find("run: systemctl enable --now multicad.service");
  CHECK_THAT(out, Contains("1. write /etc/multicad/config.toml (mode 0640)\n") &&
                      Contains("2. run: chgrp multicad /etc/multicad/config.toml\n"));
  CHECK(out.find("3. write /etc/systemd/system/multicad.service (mode 0644)") < reload);
  CHECK(reload < enable);
  CHECK(enable != std::string::npos);
  CHECK_THAT(out, Contains("dry run: nothing was changed; multicad.service (system) would be installed."));
}

TEST_CASE("a user install uses the config the CLI would find and systemctl --user", "[service][installer]") {
  host h;
  h.facts.is_root = false;
  h.facts.uid = 1000;
  h.facts.home = "/home/ada";
  test::write_file(h.at("/home/ada/.config/multicad/config.toml"), "shutdown_grace = \"5m\"\n");
  auto r = h.install(service::scope::user);
  INFO(text(r));
  REQUIRE_FALSE(r.error);
  auto unit = test::read_file(h.at("/home/ada/.config/systemd/user/multicad.service"));
  CHECK_THAT(unit, Contains("ExecStart=/usr/local/bin/multicad run --config /home/ada/.config/multicad/config.toml\n"));
  CHECK_THAT(unit, Contains("TimeoutStopSec=360s\n"));  // 5m of drain plus a minute
  CHECK(h.runner.calls == std::vector<argv>{argv{"systemctl", "--user", "daemon-reload"},
                                      argv{"systemctl", "--user", "enable", "--now", "multicad.service"}});
  CHECK_THAT(text(r), Contains("enable-linger"));
}

TEST_CASE("a user unit finds codex where the installing shell found it", "[service][installer]") {
  host h;
  h.facts.is_root = false;
  h.facts.home = "/home/ada";
  test::temp_dir tools;
  test::write_file(tools / "nvm/bin/codex", "#!/usr/bin/env node\n");
  fs::permissions(tools / "nvm/bin/codex", fs::perms(0755));
  h.facts.path_env = (tools / "nvm/bin").string() + ":/usr/bin:/bin";
  auto r = h.install(service::scope::user, true);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.steps.size() >= 2);
  CHECK_THAT(r.steps[1].content, Contains("\nEnvironment=PATH=" + (tools / "nvm/bin").string() +
                                          ":/home/ada/.local/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin\n"));
}

TEST_CASE("a failing command stops the install and says which exit status and what to do", "[service][installer]") {
  host h;
  h.facts.is_root = false;
  h.facts.home = "/home/ada";
  h.runner.respond = [](const argv& a) {
    if (a.size() > 2 && a[2] == "daemon-reload")
      return service::command_output{1, "Failed to connect to bus: No medium found\n", false, false};
    return service::command_output{0, "", false, false};
  };
  auto r = h.install(service::scope::user);
  REQUIRE(r.error);
  CHECK(r.exit_status == 1);
  CHECK(r.error->message == "`systemctl --user daemon-reload` failed (exit status 1)");
  CHECK(r.error->output == "Failed to connect to bus: No medium found\n");
  CHECK_THAT(r.error->hint, Contains("no systemd user manager for this session"));
  CHECK(h.runner.calls.size() == 1);  // enable was never tried
}

TEST_CASE("a missing systemctl is reported as a system without systemd", "[service][installer]") {
  host h;
  h.runner.respond = [](const argv& a) {
    return a[0] == "systemctl" ? service::command_output{-1, "", true, false} : service::command_output{0, "", false, false};
  };
  auto r = h.install();
  REQUIRE(r.error);
  CHECK(r.error->hint ==
        "systemctl not found: this system does not use systemd; run `multicad run` under your init system");
}

TEST_CASE("nothing is changed when systemd is not running or the user is not root", "[service][installer]") {
  host h;
  h.facts.systemd_running = false;
  auto r = h.install();
  REQUIRE(r.error);
  CHECK_THAT(r.error->message, Contains("systemd is not running on this machine"));
  CHECK(r.exit_status == 1);

  h.facts.systemd_running = true;
  h.facts.is_root = false;
  auto s = h.install();
  REQUIRE(s.error);
  CHECK_THAT(s.error->message, Contains("the system service is installed by root"));
  CHECK_FALSE(fs::exists(h.at("/etc")));
  CHECK(h.runner.calls.empty());
}

TEST_CASE("an invalid config fails the install with status 2 before anything is written", "[service][installer]") {
  host h;
  test::write_file(h.at("/etc/multicad/bad.toml"), "poll_interval = \"3x\"\n");
  h.facts.config_flag = "/etc/multicad/bad.toml";
  auto r = h.install();
  REQUIRE(r.error);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.error->message, Contains("bad.toml:1") && Contains("poll_interval"));
  CHECK_FALSE(fs::exists(h.at(system_unit)));

  h.facts.config_flag = "/etc/multicad/missing.toml";
  auto missing = h.install();
  REQUIRE(missing.error);
  CHECK(missing.exit_status == 2);
  CHECK_THAT(missing.error->message, Contains("missing.toml does not exist"));
}

TEST_CASE("workspaces outside the state directory become writable paths of the system unit", "[service][installer]") {
  host h;
  test::write_file(h.at("/etc/multicad/c.toml"), "workspaces_root = \"/srv/multica\"\n[log]\nfile = \"/srv/logs/d.log\"\n");
  h.facts.config_flag = "/etc/multicad/c.toml";
  auto r = h.install(service::scope::system, true);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.steps[0].path == system_unit);
  CHECK_THAT(r.steps[0].content, Contains("ReadWritePaths=-/srv/multica -/srv/logs\n"));
  CHECK(r.steps[0].content.find("\nLogsDirectory=") == std::string::npos);
}

TEST_CASE("a log file below /var/log gets its folder from LogsDirectory", "[service][installer]") {
  // ProtectSystem=strict leaves the daemon no way to create /var/log/multicad:
  // without LogsDirectory= it could not open log.file and exited with status 2.
  host h;
  test::write_file(h.at("/etc/multicad/c.toml"), "[log]\nfile = \"/var/log/multicad/daemon.log\"\n");
  h.facts.config_flag = "/etc/multicad/c.toml";
  auto r = h.install(service::scope::system, true);
  REQUIRE_FALSE(r.error);
  const auto& unit = r.steps[0].content;
  CHECK_THAT(unit, Contains("\nLogsDirectory=multicad\nLogsDirectoryMode=0750\n"));
  CHECK_THAT(unit, Contains("\nReadWritePaths=-/var/lib/multicad/multica_workspaces\n"));  // not /var/log/multicad

  test::write_file(h.at("/etc/multicad/c.toml"), "[log]\nfile = \"/var/log/multicad.log\"\n");
  r = h.install(service::scope::system, true);
  REQUIRE_FALSE(r.error);
  CHECK_THAT(text(r), Contains("note: log.file /var/log/multicad.log is directly in /var/log"));
}

TEST_CASE("a user install writes a config only its user can read", "[service][installer]") {
  host h;
  h.facts.is_root = false;
  h.facts.uid = 1000;
  h.facts.home = "/home/ada";
  auto r = h.install(service::scope::user);
  INFO(text(r));
  REQUIRE_FALSE(r.error);
  CHECK((fs::status(h.at("/home/ada/.config/multicad/config.toml")).permissions() & fs::perms::all) == fs::perms(0600));
  for (const auto& call : h.runner.calls) CHECK(call[0] != "chgrp");
}

TEST_CASE("a dry-run uninstall of nothing says there is nothing to remove", "[service][installer]") {
  host h;
  auto r = service::uninstall(h.facts, {service::scope::system, true, h.root.path()}, h.runner);
  REQUIRE_FALSE(r.error);
  CHECK(r.verdict == service::verdict::absent);
  CHECK_THAT(text(r), Contains("dry run: nothing was changed; multicad.service (system) is not installed, so there is "
                               "nothing to remove."));
  CHECK(text(r).find("would be not installed") == std::string::npos);
}

TEST_CASE("uninstall removes the unit and a second uninstall finds nothing to do", "[service][installer]") {
  host h;
  REQUIRE_FALSE(h.install().error);
  h.runner.calls.clear();
  auto r = service::uninstall(h.facts, {service::scope::system, false, h.root.path()}, h.runner);
  REQUIRE_FALSE(r.error);
  CHECK(r.verdict == service::verdict::removed);
  CHECK_FALSE(fs::exists(h.at(system_unit)));
  CHECK(fs::exists(h.at("/etc/multicad/config.toml")));  // config stays
  CHECK(h.runner.calls == std::vector<argv>{argv{"systemctl", "disable", "--now", "multicad.service"},
                                      argv{"systemctl", "daemon-reload"}});
  h.runner.calls.clear();
  auto again = service::uninstall(h.facts, {service::scope::system, false, h.root.path()}, h.runner);
  CHECK(again.verdict == service::verdict::absent);
  CHECK(again.exit_status == 0);
  CHECK(h.runner.calls.empty());
}

TEST_CASE("uninstall by a user who is not root changes nothing and says why", "[service][installer]") {
  host h;
  REQUIRE_FALSE(h.install().error);
  h.runner.calls.clear();
  h.facts.is_root = false;
  auto r = service::uninstall(h.facts, {service::scope::system, false, h.root.path()}, h.runner);
  REQUIRE(r.error);
  CHECK_THAT(r.error->message, Contains("the system service is installed by root"));
  CHECK(r.exit_status == 1);
  CHECK(fs::exists(h.at(system_unit)));
  CHECK(h.runner.calls.empty());
}

TEST_CASE("status parses systemctl show and says whether the unit file is current", "[service][installer]") {
  host h;
  REQUIRE_FALSE(h.install().error);
  h.runner.calls.clear();
  h.runner.respond = [](const argv&) {
    return service::command_output{0, "ActiveState=active\nSubState=running\nUnitFileState=enabled\nMainPID=77\n", false, false};
  };
  auto r = service::status(h.facts, {service::scope::system, false, h.root.path()}, h.runner);
  REQUIRE_FALSE(r.error);
  CHECK(r.exit_status == 0);
  CHECK(r.installed);
  CHECK(r.unit_file_note == "up to date");
  CHECK(h.runner.calls == std::vector<argv>{argv{"systemctl", "show", "-p", "ActiveState,SubState,UnitFileState,MainPID,StatusText",
                                           "multicad.service"}});
  auto out = text(r);
  CHECK_THAT(out, Contains("unit file: /etc/systemd/system/multicad.service (installed, up to date)"));
  CHECK_THAT(out, Contains("active:    active (running), main PID 77"));
  CHECK_THAT(out, Contains("logs:      journalctl -u multicad -n 10"));

  h.runner.respond = [](const argv&) { return service::command_output{0, "ActiveState=failed\nMainPID=0\n", false, false}; };
  CHECK(service::status(h.facts, {service::scope::system, false, h.root.path()}, h.runner).exit_status == 3);
}

TEST_CASE("status of the packaged unit says where it came from", "[service][installer]") {
  host h;
  test::write_file(h.at("/lib/systemd/system/multicad.service"), "[Unit]\n");
  h.facts.systemd_running = false;
  auto r = service::status(h.facts, {service::scope::system, false, h.root.path()}, h.runner);
  CHECK(r.installed);
  CHECK(r.where.unit_file == "/lib/systemd/system/multicad.service");
  CHECK(r.unit_file_note == "from the multicad package");
  CHECK(r.exit_status == 3);
  CHECK(h.runner.calls.empty());
}

TEST_CASE("a system install over the identical packaged unit leaves it in place", "[service][installer]") {
  host h;
  h.facts.binary = "/usr/bin/multicad";
  test::write_file(h.at("/etc/multicad/config.toml"), std::string(service::example_config()));
  service::unit_inputs packaged;
  packaged.binary = "/usr/bin/multicad";
  packaged.config_file = "/etc/multicad/config.toml";
  packaged.writable = {"/var/lib/multicad/multica_workspaces"};
  test::write_file(h.at("/lib/systemd/system/multicad.service"),
                   service::render_systemd_unit(service::scope::system, packaged));
  auto r = h.install();
  REQUIRE_FALSE(r.error);
  CHECK(r.verdict == service::verdict::unchanged);
  CHECK(r.where.unit_file == "/lib/systemd/system/multicad.service");
  CHECK_FALSE(fs::exists(h.at(system_unit)));
  CHECK(h.runner.calls == std::vector<argv>{argv{"systemctl", "enable", "--now", "multicad.service"}});

  h.facts.binary = "/usr/local/bin/multicad";  // a different binary: its own unit in /etc shadows the package's
  auto own = h.install();
  CHECK(own.verdict == service::verdict::fresh);
  CHECK(fs::exists(h.at(system_unit)));
}

TEST_CASE("a macOS install writes the LaunchAgent and bootstraps it in the GUI domain", "[service][installer]") {
  host h;
  h.facts = test::mac_host();
  auto r = h.install(service::scope::user);
  INFO(text(r));
  REQUIRE_FALSE(r.error);
  auto plist_path = fs::path("/Users/ada/Library/LaunchAgents/com.multica.multicad.plist");
  auto plist = test::read_file(h.at(plist_path));
  CHECK_THAT(plist, Contains("<string>/usr/local/bin/multicad</string>") &&
                        Contains("<string>/Users/ada/.config/multicad/config.toml</string>"));
  CHECK(fs::is_directory(h.at("/Users/ada/Library/Logs/multicad")));
  CHECK(h.runner.calls == std::vector<argv>{argv{"launchctl", "bootstrap", "gui/501", plist_path.string()}});

  auto system = service::install(h.facts, {service::scope::system, false, h.root.path()}, h.runner);
  REQUIRE(system.error);
  CHECK(system.exit_status == 2);
}
