// The service files as the real tools see them: systemd-analyze verify on the
// rendered units, xmllint on the plist, `multicad service … --dry-run` through
// the binary, shellcheck on the scripts, and the .deb that cpack builds from
// this build tree, read back with dpkg-deb. A missing tool fails its test:
// scripts/setup.sh installs every one of them.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

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
                          std::map<std::string, std::string> env = {}) {
  const char* path = std::getenv("PATH");
  auto exe = service::find_executable(argv.at(0), path ? path : "/usr/bin:/bin");
  if (!exe) FAIL(argv[0] + " not found: scripts/setup.sh installs it (Debian package " + package + ")");
  argv[0] = exe->string();
  return test::run_command({argv, std::move(env), {}, {}}, 60s);
}

test::command_result multicad_cli(std::vector<std::string> args, const test::temp_dir& dir) {
  args.insert(args.begin(), MULTICAD_BINARY);
  return test::run_command({args, {{"HOME", (dir / "home").string()}, {"PATH", "/usr/bin:/bin"}},
                            {"XDG_CONFIG_HOME", "NOTIFY_SOCKET"}, {}}, 30s);
}

fs::path binary() { return fs::canonical(MULTICAD_BINARY); }

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
  auto system = tool({"systemd-analyze", "verify", (dir / "system/multicad.service").string()}, "systemd");
  INFO(system.out + system.err);
  CHECK(system.status == 0);
  CHECK(system.out + system.err == "");  // verify exits 0 even for unknown keys and bad values; it only says so

  // A user manager needs a runtime folder, which this test provides.
  fs::create_directories(dir / "runtime");
  fs::permissions(dir / "runtime", fs::perms::owner_all);
  test::write_file(dir / "user/multicad.service", service::render_systemd_unit(service::scope::user, in));
  auto user = tool({"systemd-analyze", "--user", "verify", (dir / "user/multicad.service").string()}, "systemd",
                   {{"XDG_RUNTIME_DIR", (dir / "runtime").string()}});
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
  CHECK(plist_xpath(plist, "string(" + value("ProcessType") + ")") == "Background");
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
  CHECK_FALSE(fs::exists(dir / "home"));
}

TEST_CASE("service status names the unit file and how to read the logs", "[integration][packaging]") {
  test::temp_dir dir;
  auto r = multicad_cli({"service", "status", "--user"}, dir);
  INFO(r.out + r.err);
  if (r.status == 1) {  // a host with systemd but no user manager for this test's session
    CHECK_THAT(r.err, Contains("systemctl --user"));
    return;
  }
  CHECK(r.status == 3);  // not installed, so not running
  CHECK_THAT(r.out, Contains("unit file: " + (dir / "home/.config/systemd/user/multicad.service").string() +
                             " (not installed)"));
  CHECK_THAT(r.out, Contains("logs:      journalctl --user -u multicad -n 10"));
}

TEST_CASE("every shell script passes shellcheck", "[integration][packaging]") {
  // -x -P bench: the benchmarks source bench/lib.sh.
  std::vector<std::string> argv{"shellcheck", "-x", "-P", (source_dir / "bench").string()};
  for (const char* f : {"packaging/install.sh", "packaging/debian/postinst", "packaging/debian/prerm",
                        "packaging/debian/postrm", ".ci/run"})
    argv.push_back((source_dir / f).string());
  for (const char* dir : {"scripts", "bench"})
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
  CHECK_FALSE(fs::exists(dir / "prefix"));
}

TEST_CASE("cpack builds a deb with the binary the unit the conffile and the maintainer scripts", "[integration][packaging]") {
  test::temp_dir dir;
  const fs::path build_dir = MULTICAD_BUILD_DIR;
  REQUIRE(fs::exists(build_dir / "CPackConfig.cmake"));
  auto pack = tool({"cpack", "-G", "DEB", "--config", (build_dir / "CPackConfig.cmake").string(), "-B", dir.path().string()},
                   "cmake", {{"TMPDIR", dir.path().string()}});
  INFO(pack.out + pack.err);
  REQUIRE(pack.status == 0);
  fs::path deb;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().extension() == ".deb") deb = e.path();
  REQUIRE_FALSE(deb.empty());
  CHECK(deb.filename().string().starts_with("multicad_"));

  auto contents = tool({"dpkg-deb", "-c", deb.string()}, "dpkg");
  REQUIRE(contents.status == 0);
  for (const char* f : {"./usr/bin/multicad", "./lib/systemd/system/multicad.service", "./etc/multicad/config.toml",
                        "./usr/share/doc/multicad/README.md", "./usr/share/doc/multicad/operations.md"})
    CHECK_THAT(contents.out, Contains(std::string(" ") + f + "\n"));
  CHECK_THAT(contents.out, Contains("-rwxr-xr-x root/root") && Contains("./usr/bin/multicad\n"));

  auto info = tool({"dpkg-deb", "-I", deb.string()}, "dpkg");
  REQUIRE(info.status == 0);
  CHECK_THAT(info.out, Contains("Package: multicad\n") && Contains("Recommends: bubblewrap\n"));
  CHECK_THAT(info.out, Contains("Depends: ") && Contains("libc6") && Contains("passwd"));
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
