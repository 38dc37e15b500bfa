// The service files as the real tools see them: systemd-analyze verify on the
// rendered units, xmllint on the plist, `multicad service … --dry-run` through
// the binary, shellcheck on the scripts, and the .deb that cpack builds from
// this build tree, read back with dpkg-deb. A missing tool fails its test:
// scripts/setup.sh installs every one of them.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/service/command_runner.hpp"
#include "daemon/service/unit_text.hpp"
#include "test/support/child_process.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad;
using namespace std::chrono_literals;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = MULTICAD_SOURCE_DIR;

// Runs a tool by name with a time limit; a missing tool fails the test and
// names the Debian package scripts/setup.sh installs it from.
test::command_result tool(std::vector<std::string> argv, const std::string& package,
                          std::map<std::string, std::string> env = {}, std::chrono::seconds limit = 60s) {
  const char* path = std::getenv("PATH");
  auto exe = service::find_executable(argv.at(0), path ? path : "/usr/bin:/bin");
  if (!exe) FAIL(argv[0] + " not found: scripts/setup.sh installs it (Debian package " + package + ")");
  argv[0] = exe->string();
  return test::run_command({argv, std::move(env), {}, {}}, limit);
}

test::command_result multicad_cli(std::vector<std::string> args, const test::temp_dir& dir) {
  args.insert(args.begin(), MULTICAD_BINARY);
  return test::run_command({args, {{"HOME", (dir / "home").string()}, {"PATH", "/usr/bin:/bin"}},
                            {"XDG_CONFIG_HOME", "NOTIFY_SOCKET"}, {}}, 30s);
}

fs::path binary() { return fs::canonical(MULTICAD_BINARY); }

struct built_package {
  fs::path deb, ddeb;  // the package and its debug symbols
};

// The umask for one scope; cpack's children inherit it.
struct scoped_umask {
  mode_t before;
  explicit scoped_umask(mode_t m) : before(::umask(m)) {}
  ~scoped_umask() { ::umask(before); }
  scoped_umask(const scoped_umask&) = delete;
  scoped_umask& operator=(const scoped_umask&) = delete;
};

// cpack on this build tree into `dir`: what a packager runs. Under umask 002
// (a CI runner's or a shared build host's), which once gave the package
// group-writable folders: the modes must not depend on who packs.
built_package build_package(const test::temp_dir& dir) {
  const fs::path build_dir = MULTICAD_BUILD_DIR;
  REQUIRE(fs::exists(build_dir / "CPackConfig.cmake"));
  scoped_umask group_writable(0002);
  auto pack = tool({"cpack", "-G", "DEB", "--config", (build_dir / "CPackConfig.cmake").string(), "-B", dir.path().string()},
                   "cmake", {{"TMPDIR", dir.path().string()}}, 240s);  // splits and compresses ~50 MB of symbols
  INFO(pack.out + pack.err);
  REQUIRE(pack.status == 0);
  built_package p;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() == ".deb") p.deb = e.path();
    if (e.path().extension() == ".ddeb") p.ddeb = e.path();
  }
  REQUIRE_FALSE(p.deb.empty());
  return p;
}

service::unit_inputs inputs_for(const test::temp_dir& dir) {
  test::write_file(dir / "config.toml", std::string(service::example_config()));
  service::unit_inputs in;
  in.binary = binary();
  in.config_file = dir / "config.toml";
  in.writable = {dir / "workspaces"};
  in.path_dirs = {"/opt/homebrew/bin", "/usr/local/bin", "/usr/bin", "/bin"};
  in.log_dir = dir / "home/Library/Logs/multicad";
  return in;
}

// The value element right after <key>name</key> in the plist's top dict, by XPath.
std::string plist_xpath(const fs::path& plist, const std::string& expr) {
  auto r = tool({"xmllint", "--nonet", "--xpath", expr, plist.string()}, "libxml2-utils");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return r.out.ends_with("\n") ? r.out.substr(0, r.out.size() - 1) : r.out;  // xmllint ends each result with one
}

}  // namespace

TEST_CASE("the rendered system and user units pass systemd-analyze verify without a word", "[integration][packaging]") {
  test::temp_dir dir;
  auto in = inputs_for(dir);
  test::write_file(dir / "system/multicad.service", service::render_systemd_unit(service::scope::system, in));
  // MANPATH: the build's man page, which verify looks up for Documentation=man:multicad(1).
  const std::string manpath = (fs::path(MULTICAD_BUILD_DIR) / "man").string();
  auto system = tool({"systemd-analyze", "verify", (dir / "system/multicad.service").string()}, "systemd",
                     {{"MANPATH", manpath}});
  INFO(system.out + system.err);
  CHECK(system.status == 0);
  CHECK(system.out + system.err == "");  // verify exits 0 even for unknown keys and bad values; it only says so

  // A user manager needs a runtime folder, which this test provides.
  fs::create_directories(dir / "runtime");
  fs::permissions(dir / "runtime", fs::perms::owner_all);
  test::write_file(dir / "user/multicad.service", service::render_systemd_unit(service::scope::user, in));
  auto user = tool({"systemd-analyze", "--user", "verify", (dir / "user/multicad.service").string()}, "systemd",
                   {{"XDG_RUNTIME_DIR", (dir / "runtime").string()}, {"MANPATH", manpath}});
  INFO(user.out + user.err);
  CHECK(user.status == 0);
  CHECK(user.out + user.err == "");
}

TEST_CASE("the rendered plist is well formed and has every launchd key", "[integration][packaging]") {
  test::temp_dir dir;
  auto in = inputs_for(dir);
  test::write_file(dir / "com.multica.multicad.plist", service::render_launchd_plist(in));
  auto plist = dir / "com.multica.multicad.plist";
  auto lint = tool({"xmllint", "--noout", "--nonet", plist.string()}, "libxml2-utils");
  INFO(lint.err);
  REQUIRE(lint.status == 0);
  CHECK(lint.out + lint.err == "");

  auto value = [&](const std::string& key) { return "/plist/dict/key[.='" + key + "']/following-sibling::*[1]"; };
  CHECK(plist_xpath(plist, "string(" + value("Label") + ")") == "com.multica.multicad");
  CHECK(plist_xpath(plist, "count(" + value("ProgramArguments") + "/string)") == "4");
  CHECK(plist_xpath(plist, "string(" + value("ProgramArguments") + "/string[1])") == binary().string());
  CHECK(plist_xpath(plist, "string(" + value("ProgramArguments") + "/string[4])") == (dir / "config.toml").string());
  CHECK(plist_xpath(plist, "name(" + value("RunAtLoad") + ")") == "true");
  CHECK(plist_xpath(plist, "name(" + value("KeepAlive") + "/key[.='SuccessfulExit']/following-sibling::*[1])") == "false");
  CHECK(plist_xpath(plist, "string(" + value("ExitTimeOut") + ")") == "90");
  CHECK(plist_xpath(plist, "string(" + value("ProcessType") + ")") == "Standard");  // Background throttles builds
  CHECK(plist_xpath(plist, "string(" + value("StandardErrorPath") + ")") == (in.log_dir / "multicad.log").string());
  CHECK_THAT(plist_xpath(plist, "string(" + value("EnvironmentVariables") + "/key[.='PATH']/following-sibling::*[1])"),
             Contains("/opt/homebrew/bin:/usr/local/bin"));
}

TEST_CASE("service install --system --dry-run prints the unit for this binary and config", "[integration][packaging]") {
  test::temp_dir dir;
  test::write_file(dir / "config.toml", "shutdown_grace = \"2m\"\n");
  const fs::path real_unit = "/etc/systemd/system/multicad.service";
  bool existed = fs::exists(real_unit);
  auto r = multicad_cli({"service", "install", "--system", "--dry-run", "--config", (dir / "config.toml").string()}, dir);
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("\nExecStart=" + binary().string() + " run --config " + (dir / "config.toml").string() + "\n"));
  CHECK_THAT(r.out, Contains("\nType=notify\n") && Contains("\nKillMode=mixed\n") && Contains("\nTimeoutStopSec=180s\n"));
  CHECK_THAT(r.out, Contains("----- begin /etc/systemd/system/multicad.service -----"));
  CHECK_THAT(r.out, Contains("dry run: nothing was changed"));
  if (!existed) {
    auto reload = r.out.find("run: systemctl daemon-reload");
    CHECK(reload != std::string::npos);
    CHECK(reload < r.out.find("run: systemctl enable --now multicad.service"));
  }
  CHECK(fs::exists(real_unit) == existed);
}

TEST_CASE("service install --user --dry-run shows the config it would create and changes nothing", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = multicad_cli({"service", "install", "--user", "--dry-run"}, dir);
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  auto config = (dir / "home/.config/multicad/config.toml").string();
  auto unit = (dir / "home/.config/systemd/user/multicad.service").string();
  CHECK_THAT(r.out, Contains("----- begin " + config + " -----\n" + std::string(service::example_config())));
  CHECK_THAT(r.out, Contains("----- begin " + unit + " -----"));
  CHECK_THAT(r.out, Contains("\nExecStart=" + binary().string() + " run --config " + config + "\n"));
  CHECK_THAT(r.out, Contains("\nEnvironment=PATH=") && Contains("\nType=notify\n") && Contains("\nKillMode=mixed\n"));
  CHECK_THAT(r.out, Contains("run: systemctl --user daemon-reload"));
  CHECK_FALSE(fs::exists(dir / "home"));
}

TEST_CASE("service install --dry-run renders the macOS LaunchAgent and reports JSON", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = multicad_cli({"service", "install", "--dry-run", "--platform", "darwin", "--json"}, dir);
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["platform"] == "darwin");
  CHECK(j["unit_file"] == (dir / "home/Library/LaunchAgents/com.multica.multicad.plist").string());
  CHECK(j["result"] == "installed");
  std::string plist, last_command;
  for (const auto& s : j["steps"]) {
    if (s["action"] == "write" && s["path"] == j["unit_file"]) plist = s["content"];
    if (s["action"] == "run") last_command = s["command"].dump();
  }
  CHECK_THAT(plist, Contains("<string>" + binary().string() + "</string>"));
  CHECK_THAT(last_command, Contains("\"launchctl\",\"bootstrap\",\"gui/"));
  CHECK_THAT(plist, Contains("<key>ProcessType</key>\n  <string>Standard</string>"));
  CHECK_FALSE(fs::exists(dir / "home"));

  auto background = multicad_cli({"service", "install", "--dry-run", "--platform", "darwin", "--json", "--background"}, dir);
  REQUIRE(background.status == 0);
  CHECK_THAT(background.out, Contains("<key>ProcessType</key>\\n  <string>Background</string>"));
}

TEST_CASE("every install path gives the system config the same owner group and mode", "[integration][packaging]") {
  // The .deb: dpkg-statoverride root:multicad 0640 (the lifecycle test below).
  // `service install --system` (and packaging/install.sh, which runs it):
  test::temp_dir dir;
  auto r = multicad_cli({"service", "install", "--system", "--dry-run", "--json"}, dir);
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  bool wrote = false, chgrp = false;
  for (const auto& st : j["steps"]) {
    if (st["action"] == "write" && st["path"] == "/etc/multicad/config.toml") wrote = st["mode"] == "0640";
    if (st["action"] == "run" && st["command"] == nlohmann::json{"chgrp", "multicad", "/etc/multicad/config.toml"}) chgrp = true;
  }
  if (fs::exists("/etc/multicad/config.toml")) return;  // this host has one: nothing would be written
  CHECK(wrote);
  CHECK(chgrp);
  auto script = test::read_file(source_dir / "packaging/install.sh");
  CHECK(script.find("multicad.example.toml\" \"$config\"") == std::string::npos);  // no copy of its own
}

// `multicad service status --user` as a user would run it on a host of the
// kind `host` names (test/support/as_systemd_host.sh), whatever this machine
// is; the session's runtime folder, where systemctl finds the user manager,
// is the test's own. The script needs root: a test that cannot have it fails.
test::command_result user_status_on(const std::string& host, const test::temp_dir& dir) {
  if (::geteuid() != 0)
    FAIL("service status is checked on three kinds of host made with unshare and mount, which need root "
         "(as CI runs the tests); run the integration tests as root");
  fs::create_directories(dir / "run");
  fs::permissions(dir / "run", fs::perms::owner_all);
  return test::run_command({{(source_dir / "test/support/as_systemd_host.sh").string(), host, MULTICAD_BINARY, "service",
                             "status", "--user"},
                            {{"HOME", (dir / "home").string()}, {"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                             {"XDG_RUNTIME_DIR", (dir / "run").string()}},
                            {"XDG_CONFIG_HOME", "NOTIFY_SOCKET", "DBUS_SESSION_BUS_ADDRESS"}, {}}, 60s);
}

TEST_CASE("service status names the unit file and how to read the logs", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = user_status_on("user-manager", dir);
  INFO(r.out + r.err);
  REQUIRE(r.status != 125);  // the private user manager did not start: its log is above
  CHECK(r.status == 3);  // not installed, so not running
  CHECK_THAT(r.out, Contains("unit file: " + (dir / "home/.config/systemd/user/multicad.service").string() +
                             " (not installed)"));
  CHECK_THAT(r.out, Contains("logs:      journalctl --user -u multicad -n 10"));
  CHECK(r.out.find("systemd is not running") == std::string::npos);
}

TEST_CASE("service status without a user manager says how to reach one", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = user_status_on("no-user-manager", dir);
  INFO(r.out + r.err);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("systemctl --user"));
}

TEST_CASE("service status on a host without systemd says nothing can run the unit", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = user_status_on("no-systemd", dir);
  INFO(r.out + r.err);
  CHECK(r.status == 3);
  CHECK_THAT(r.out, Contains("unit file: " + (dir / "home/.config/systemd/user/multicad.service").string()));
  CHECK_THAT(r.out, Contains("note: systemd is not running on this machine (no /run/systemd/system)"));
}

TEST_CASE("every shell script passes shellcheck", "[integration][packaging]") {
  // -x -P bench: the benchmarks source bench/lib.sh.
  std::vector<std::string> argv{"shellcheck", "-x", "-P", (source_dir / "bench").string()};
  for (const char* f : {"packaging/install.sh", "packaging/man.sh", "packaging/debian/postinst", "packaging/debian/prerm",
                        "packaging/debian/postrm", ".ci/run"})
    argv.push_back((source_dir / f).string());
  for (const char* dir : {"scripts", "bench", "test/support"})
    for (const auto& e : fs::directory_iterator(source_dir / dir))
      if (e.path().extension() == ".sh") argv.push_back(e.path().string());
  auto r = tool(argv, "shellcheck");
  INFO(r.out + r.err);
  CHECK(r.status == 0);
}

TEST_CASE("install.sh --dry-run prints each step and installs nothing", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = tool({"bash", (source_dir / "packaging/install.sh").string(), "--dry-run", "--prefix",
                 (dir / "prefix").string()}, "bash");
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("+ " + (source_dir / "scripts/setup.sh").string()));
  CHECK_THAT(r.out, Contains("install -m 755 " + (source_dir / "build/default/daemon/multicad").string() + " " +
                             (dir / "prefix/bin/multicad").string()));
  CHECK_THAT(r.out, Contains((dir / "prefix/share/man/man1/multicad.1.gz").string()));
  CHECK(r.out.find("multicad.example.toml") == std::string::npos);  // the config comes from `service install`
  CHECK_FALSE(fs::exists(dir / "prefix"));
}

TEST_CASE("cpack builds a deb with the binary the unit the conffile and the maintainer scripts", "[integration][packaging]") {
  test::temp_dir dir;
  auto pkg = build_package(dir);
  auto deb = pkg.deb;
  CHECK(deb.filename().string().starts_with("multicad_"));

  auto contents = tool({"dpkg-deb", "-c", deb.string()}, "dpkg");
  REQUIRE(contents.status == 0);
  for (const char* f : {"./usr/bin/multicad", "./lib/systemd/system/multicad.service", "./etc/multicad/config.toml",
                        "./usr/share/doc/multicad/README.md", "./usr/share/doc/multicad/operations.md",
                        "./usr/share/doc/multicad/copyright", "./usr/share/doc/multicad/changelog.gz",
                        "./usr/share/man/man1/multicad.1.gz", "./usr/lib/sysusers.d/multicad.conf",
                        "./usr/lib/tmpfiles.d/multicad.conf"})
    CHECK_THAT(contents.out, Contains(std::string(" ") + f + "\n"));
  CHECK_THAT(contents.out, Contains("-rwxr-xr-x root/root") && Contains("./usr/bin/multicad\n"));

  auto info = tool({"dpkg-deb", "-I", deb.string()}, "dpkg");
  REQUIRE(info.status == 0);
  CHECK_THAT(info.out, Contains("Package: multicad\n") && Contains("Recommends: bubblewrap, git\n") && Contains("Section: net\n"));
  CHECK_THAT(info.out, Contains("Depends: ") && Contains("libc6") && Contains("systemd | systemd-standalone-sysusers"));
  CHECK(info.out.find("localhost") == std::string::npos);
  for (const char* f : {" postinst ", " prerm ", " postrm ", " conffiles "}) CHECK_THAT(info.out, Contains(f));
  CHECK(tool({"dpkg-deb", "-I", deb.string(), "conffiles"}, "dpkg").out == "/etc/multicad/config.toml\n");
  CHECK(tool({"dpkg-deb", "-I", deb.string(), "postinst"}, "dpkg").out ==
        test::read_file(source_dir / "packaging/debian/postinst"));

  // The packaged unit is exactly what `multicad service install --system`
  // writes for the packaged paths and default settings.
  REQUIRE(tool({"dpkg-deb", "-x", deb.string(), (dir / "root").string()}, "dpkg").status == 0);
  service::unit_inputs in;
  in.binary = "/usr/bin/multicad";
  in.config_file = "/etc/multicad/config.toml";
  in.writable = {"/var/lib/multicad/multica_workspaces"};
  CHECK(test::read_file(dir / "root/lib/systemd/system/multicad.service") ==
        service::render_systemd_unit(service::scope::system, in));
  CHECK(test::read_file(dir / "root/etc/multicad/config.toml") == std::string(service::example_config()));
}

TEST_CASE("lintian finds no error and no warning in the package", "[integration][packaging]") {
  test::temp_dir dir;
  auto pkg = build_package(dir);
  REQUIRE_FALSE(pkg.ddeb.empty());
  // --display-info too: the hardening tags are informational, and we want none of them either.
  auto r = tool({"lintian", "--display-info", "--tag-display-limit", "0", pkg.deb.string(), pkg.ddeb.string()}, "lintian",
                {}, 240s);
  std::string report = r.out + r.err;
  INFO("lintian said:\n" << report);
  std::vector<std::string> bad;
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("E: ") || line.starts_with("W: ") || line.find(" hardening-") != std::string::npos)
      bad.push_back(line);
  CHECK(bad.empty());
  CHECK(r.status == 0);
}

TEST_CASE("the packaged binary is stripped and its debug symbols are in multicad-dbgsym", "[integration][packaging]") {
  test::temp_dir dir;
  auto pkg = build_package(dir);
  REQUIRE_FALSE(pkg.ddeb.empty());
  REQUIRE(tool({"dpkg-deb", "-x", pkg.deb.string(), (dir / "root").string()}, "dpkg").status == 0);
  auto sections = tool({"readelf", "-S", "-W", (dir / "root/usr/bin/multicad").string()}, "binutils");
  REQUIRE(sections.status == 0);
  CHECK(sections.out.find(".debug_info") == std::string::npos);
  CHECK(sections.out.find(".symtab") == std::string::npos);
  auto notes = tool({"readelf", "-n", (dir / "root/usr/bin/multicad").string()}, "binutils");
  auto at = notes.out.find("Build ID: ");
  REQUIRE(at != std::string::npos);
  auto id = notes.out.substr(at + 10, notes.out.find('\n', at) - at - 10);
  REQUIRE(id.size() > 2);
  auto debug_contents = tool({"dpkg-deb", "-c", pkg.ddeb.string()}, "dpkg");
  CHECK_THAT(debug_contents.out, Contains("./usr/lib/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug\n"));
  auto dbg_info = tool({"dpkg-deb", "-f", pkg.ddeb.string(), "Package"}, "dpkg");
  CHECK(dbg_info.out == "multicad-dbgsym\n");
}

TEST_CASE("the package keeps the admin's enable state through upgrade and remove and reinstall", "[integration][packaging]") {
  // The real maintainer scripts, run by dpkg into a private root
  // (--root with chrootless scripts sets DPKG_ROOT, which the scripts,
  // deb-systemd-helper, systemd-sysusers and systemd-tmpfiles honour);
  // `systemctl --root` plays the admin. Nothing outside the temp root changes.
  if (::geteuid() != 0) FAIL("dpkg --root needs root here: it installs root-owned files and systemd-tmpfiles chowns");
  test::temp_dir dir;
  auto pkg = build_package(dir);
  const fs::path root = dir / "root";
  for (const char* d : {"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc"})
    fs::create_directories(root / d);
  test::write_file(root / "var/lib/dpkg/status", "");
  const std::map<std::string, std::string> env{{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
  auto dpkg = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"dpkg", "--root=" + root.string(), "--force-script-chrootless", "--force-depends",
                               "--log=/dev/null"});
    auto r = tool(args, "dpkg", env);
    INFO(r.out + r.err);
    REQUIRE(r.status == 0);
    return r;
  };
  const fs::path wants = root / "etc/systemd/system/multi-user.target.wants/multicad.service";
  auto enabled = [&] { return fs::is_symlink(wants); };

  // Install: the user and its home, the config's permissions, the unit not enabled.
  auto first = dpkg({"-i", pkg.deb.string()});
  CHECK_THAT(first.out, Contains("sudo systemctl enable --now multicad"));
  auto passwd = test::read_file(root / "etc/passwd");
  CHECK_THAT(passwd, Contains("multicad:x:") && Contains(":/var/lib/multicad:/usr/sbin/nologin\n"));
  struct stat home {}, config {};
  REQUIRE(::stat((root / "var/lib/multicad").c_str(), &home) == 0);
  REQUIRE(::stat((root / "etc/multicad/config.toml").c_str(), &config) == 0);
  CHECK((home.st_mode & 07777) == 0700);
  CHECK((config.st_mode & 07777) == 0640);  // the same as `service install --system` writes
  CHECK(config.st_uid == 0);
  CHECK(config.st_gid == home.st_gid);      // group multicad of the root's /etc/group
  CHECK(home.st_gid != 0);
  CHECK_FALSE(enabled());

  // The admin enables it; an upgrade keeps it enabled.
  REQUIRE(tool({"systemctl", "--root=" + root.string(), "enable", "multicad.service"}, "systemd").status == 0);
  REQUIRE(enabled());
  dpkg({"-i", pkg.deb.string()});
  CHECK(enabled());
  // Remove, then install again: enabled as before (prerm no longer disables).
  dpkg({"-r", "multicad"});
  CHECK_FALSE(fs::exists(root / "lib/systemd/system/multicad.service"));
  CHECK(fs::exists(root / "etc/multicad/config.toml"));  // a conffile stays until purge
  dpkg({"-i", pkg.deb.string()});
  CHECK(enabled());
  // Disabled stays disabled across an upgrade.
  REQUIRE(tool({"systemctl", "--root=" + root.string(), "disable", "multicad.service"}, "systemd").status == 0);
  dpkg({"-i", pkg.deb.string()});
  CHECK_FALSE(enabled());
  // Purge forgets all of it, and keeps the user's home (Codex login, reports).
  REQUIRE(tool({"systemctl", "--root=" + root.string(), "enable", "multicad.service"}, "systemd").status == 0);
  dpkg({"-P", "multicad"});
  CHECK_FALSE(enabled());
  CHECK_FALSE(fs::exists(root / "etc/multicad/config.toml"));
  CHECK_FALSE(fs::exists(root / "var/lib/systemd/deb-systemd-helper-enabled/multicad.service.dsh-also"));
  CHECK(test::read_file(root / "var/lib/dpkg/statoverride").find("config.toml") == std::string::npos);
  CHECK(fs::is_directory(root / "var/lib/multicad"));
}
