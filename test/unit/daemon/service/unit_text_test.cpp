// The unit and plist text: every placeholder filled, paths quoted for systemd
// and escaped for XML, the stop timeout derived from shutdown_grace.
#include "daemon/service/unit_text.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace multicad;
using namespace std::chrono_literals;
using Catch::Contains;

namespace {

service::unit_inputs inputs() {
  service::unit_inputs in;
  in.binary = "/usr/local/bin/multicad";
  in.config_file = "/etc/multicad/config.toml";
  in.stop_timeout = 90s;
  in.writable = {"/var/lib/multicad/multica_workspaces", "/srv/multica"};
  in.path_dirs = {"/home/ada/.nvm/versions/node/v22/bin", "/usr/local/bin", "/usr/bin", "/bin"};
  in.log_dir = "/Users/ada/Library/Logs/multicad";
  return in;
}

// What CMake's configure_file would substitute (it renders the .deb's unit):
// after rendering, nothing of that shape may be left, or the two renderings differ.
bool has_placeholder(const std::string& text) { return std::regex_search(text, std::regex("@[A-Za-z_0-9/.+-]+@")); }

}  // namespace

TEST_CASE("the system unit runs this binary with the config as a notify service of its own user", "[service][unit_text]") {
  auto unit = service::render_systemd_unit(service::scope::system, inputs());
  CHECK_FALSE(has_placeholder(unit));
  CHECK_THAT(unit, Contains("\nExecStart=/usr/local/bin/multicad run --config /etc/multicad/config.toml\n"));
  for (const char* line : {"Type=notify", "NotifyAccess=main", "WatchdogSec=60s", "Restart=on-failure", "RestartSec=5s",
                           "RestartPreventExitStatus=2", "KillMode=mixed", "TimeoutStopSec=90s",
                           "StateDirectory=multicad", "User=multicad", "NoNewPrivileges=yes", "ProtectSystem=strict",
                           "PrivateTmp=yes", "OOMPolicy=continue", "WantedBy=multi-user.target"})
    CHECK_THAT(unit, Contains("\n" + std::string(line) + "\n"));
  CHECK_THAT(unit, Contains("\nReadWritePaths=-/var/lib/multicad/multica_workspaces -/srv/multica\n"));
  // These would break bwrap's /proc inside Codex's sandbox (see the unit's comments).
  CHECK_FALSE(std::regex_search(unit, std::regex("\n(ProtectKernelTunables|ProtectKernelLogs|RestrictNamespaces|"
                                                 "SystemCallFilter|MemoryDenyWriteExecute)=")));
}

TEST_CASE("the user unit runs as the user with a PATH that finds codex", "[service][unit_text]") {
  auto unit = service::render_systemd_unit(service::scope::user, inputs());
  CHECK_FALSE(has_placeholder(unit));
  CHECK_THAT(unit, Contains("\nExecStart=/usr/local/bin/multicad run --config /etc/multicad/config.toml\n"));
  CHECK_THAT(unit, Contains("\nEnvironment=PATH=/home/ada/.nvm/versions/node/v22/bin:/usr/local/bin:/usr/bin:/bin\n"));
  CHECK_THAT(unit, Contains("\nType=notify\n") && Contains("\nKillMode=mixed\n") && Contains("\nWantedBy=default.target\n"));
  CHECK_THAT(unit, !Contains("\nUser=") && !Contains("\nProtectSystem="));
}

TEST_CASE("unit paths with blanks percent or dollar signs are quoted and escaped", "[service][unit_text]") {
  auto in = inputs();
  in.binary = "/opt/my tools/multicad";
  in.config_file = "/etc/multicad/100%.toml";
  in.writable = {"/srv/a b"};
  in.path_dirs = {"/opt/with space/bin", "/usr/bin"};
  auto system = service::render_systemd_unit(service::scope::system, in);
  CHECK_THAT(system, Contains("\nExecStart=\"/opt/my tools/multicad\" run --config /etc/multicad/100%%.toml\n"));
  CHECK_THAT(system, Contains("\nReadWritePaths=\"-/srv/a b\"\n"));
  auto user = service::render_systemd_unit(service::scope::user, in);
  CHECK_THAT(user, Contains("\nEnvironment=PATH=/usr/bin\n"));  // a folder with a blank is left out
}

TEST_CASE("systemd_quote leaves plain words bare and quotes the rest", "[service][unit_text]") {
  CHECK(service::systemd_quote("/usr/bin/multicad") == "/usr/bin/multicad");
  CHECK(service::systemd_quote("a b") == "\"a b\"");
  CHECK(service::systemd_quote("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(service::systemd_quote("back\\slash") == "\"back\\\\slash\"");
  CHECK(service::systemd_quote("$HOME/%h") == "$$HOME/%%h");
  CHECK(service::systemd_quote("") == "\"\"");
}

TEST_CASE("the plist names the binary config logs and PATH with XML escaping", "[service][unit_text]") {
  auto in = inputs();
  in.binary = "/Users/ada/bin/multi&cad";
  in.stop_timeout = 120s;
  in.path_dirs = {"/opt/homebrew/bin", "/usr/local/bin", "/usr/bin", "/bin"};
  auto plist = service::render_launchd_plist(in);
  CHECK_FALSE(has_placeholder(plist));
  CHECK_THAT(plist, Contains("<string>/Users/ada/bin/multi&amp;cad</string>\n    <string>run</string>\n"
                             "    <string>--config</string>\n    <string>/etc/multicad/config.toml</string>"));
  CHECK_THAT(plist, Contains("<key>ExitTimeOut</key>\n  <integer>120</integer>"));
  CHECK_THAT(plist, Contains("<string>/Users/ada/Library/Logs/multicad/multicad.log</string>"));
  CHECK_THAT(plist, Contains("<key>PATH</key>\n    <string>/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin</string>"));
  CHECK_THAT(plist, Contains("<key>SuccessfulExit</key>\n    <false/>"));
  // Background would have launchd throttle the agent's builds; only on request.
  CHECK_THAT(plist, Contains("<key>ProcessType</key>\n  <string>Standard</string>"));
  in.background = true;
  CHECK_THAT(service::render_launchd_plist(in), Contains("<key>ProcessType</key>\n  <string>Background</string>"));
}

TEST_CASE("units name their documentation and every doc the service files name exists", "[service][unit_text]") {
  for (auto s : {service::scope::system, service::scope::user})
    CHECK_THAT(service::render_systemd_unit(s, inputs()),
               Contains("\nDocumentation=man:multicad(1) file:/usr/share/doc/multicad/operations.md\n"));
  const std::regex doc_ref(R"(docs/[A-Za-z0-9_.-]+\.md)");
  for (const char* file : {"packaging/systemd/multicad.service", "packaging/systemd/multicad-user.service",
                           "packaging/launchd/com.multica.multicad.plist", "packaging/debian/postinst",
                           "packaging/README.md"}) {
    std::ifstream in(std::string(MULTICAD_SOURCE_DIR) + "/" + file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    REQUIRE_FALSE(text.empty());
    for (std::sregex_iterator it(text.begin(), text.end(), doc_ref), end; it != end; ++it) {
      INFO(file << " names " << it->str());
      CHECK(std::filesystem::exists(std::string(MULTICAD_SOURCE_DIR) + "/" + it->str()));
    }
  }
}

TEST_CASE("LogsDirectory lines follow log.file", "[service][unit_text]") {
  CHECK(service::logs_directory_lines("/var/log/multicad/daemon.log") == "LogsDirectory=multicad\nLogsDirectoryMode=0750");
  CHECK(service::logs_directory_lines("/var/log/a/b/x.log") == "LogsDirectory=a/b\nLogsDirectoryMode=0750");
  CHECK(service::logs_directory_lines("").starts_with("# "));
  CHECK(service::logs_directory_lines("/var/log/x.log").starts_with("# "));
  CHECK(service::logs_directory_lines("/srv/log/x.log").starts_with("# "));
  CHECK(service::logs_directory_lines("/var/logs/x/y.log").starts_with("# "));
}

TEST_CASE("render_unit picks the plist on darwin and the unit of the scope on linux", "[service][unit_text]") {
  auto mac = service::make_target(service::platform::darwin, service::scope::user, "/Users/ada", "", 501);
  CHECK_THAT(service::render_unit(mac, inputs()), Contains("<plist version=\"1.0\">"));
  auto user = service::make_target(service::platform::linux, service::scope::user, "/home/ada", "", 1000);
  CHECK_THAT(service::render_unit(user, inputs()), Contains("WantedBy=default.target"));
}

TEST_CASE("the stop timeout is the drain plus a minute and never under 90 seconds", "[service][unit_text]") {
  CHECK(service::stop_timeout_for(30s) == 90s);
  CHECK(service::stop_timeout_for(0s) == 90s);
  CHECK(service::stop_timeout_for(10min) == 660s);
  CHECK(service::stop_timeout_for(std::chrono::milliseconds(45'500)) == 106s);
}

TEST_CASE("fill_template replaces known placeholders and keeps other at signs", "[service][unit_text]") {
  CHECK(service::fill_template("a @X@ b @Y@", {{"X", "1"}, {"Y", "2"}}) == "a 1 b 2");
  CHECK(service::fill_template("mail ops@example.org @X@", {{"X", "1"}}) == "mail ops@example.org 1");
  CHECK(service::fill_template("@X@@X@", {{"X", "ab"}}) == "abab");
  CHECK(service::fill_template("trailing @", {}) == "trailing @");
}

TEST_CASE("the example config is compiled in byte for byte", "[service][unit_text]") {
  CHECK_THAT(std::string(service::example_config()), Contains("shutdown_grace = \"30s\""));
  CHECK(service::example_config().back() == '\n');
}

TEST_CASE("targets name the unit file and the service manager commands", "[service][unit_text]") {
  auto system = service::make_target(service::platform::linux, service::scope::system, "/root", "", 0);
  CHECK(system.unit_file == "/etc/systemd/system/multicad.service");
  CHECK(system.systemctl() == std::vector<std::string>{"systemctl"});
  auto user = service::make_target(service::platform::linux, service::scope::user, "/home/ada", "/home/ada/.cfg", 1000);
  CHECK(user.unit_file == "/home/ada/.cfg/systemd/user/multicad.service");
  CHECK(user.systemctl() == std::vector<std::string>{"systemctl", "--user"});
  CHECK(user.logs_command("/home/ada") == "journalctl --user -u multicad -n 10");
  auto mac = service::make_target(service::platform::darwin, service::scope::user, "/Users/ada", "", 501);
  CHECK(mac.unit_file == "/Users/ada/Library/LaunchAgents/com.multica.multicad.plist");
  CHECK(mac.launchd_service() == "gui/501/com.multica.multicad");
  CHECK(mac.logs_command("/Users/ada") == "tail -n 10 /Users/ada/Library/Logs/multicad/multicad.log");
}
