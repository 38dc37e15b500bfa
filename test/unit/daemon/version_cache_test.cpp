#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <thread>

#include "daemon/agent/version_cache.hpp"
#include "test/support/process_exit.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::agent;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

fs::path script(const temp_dir& d, const std::string& name, const std::string& body) {
  auto p = d / name;
  write_file(p, "#!/bin/sh\n" + body + "\n");
  fs::permissions(p, fs::perms::owner_all);
  return p;
}

}  // namespace

TEST_CASE("a real --version run is parsed and checked against the minimum", "[daemon][version]") {
  temp_dir d;
  version_cache cache;
  auto ok = cache.detect(script(d, "codex", "echo 'codex-cli 0.171.0'"), codex_requirement());
  CHECK(ok.usable);
  CHECK(ok.raw == "codex-cli 0.171.0");
  CHECK(ok.version->to_string() == "0.171.0");

  auto old = cache.detect(script(d, "old", "echo 'codex-cli 0.99.9'"), codex_requirement());
  CHECK_FALSE(old.usable);
  CHECK_THAT(old.problem, Catch::Contains("0.99.9 is older than the minimum 0.100.0"));

  auto garbage = cache.detect(script(d, "garbage", "echo 'codex nightly'"), codex_requirement());
  CHECK_FALSE(garbage.usable);
  CHECK_THAT(garbage.problem, Catch::Contains("cannot find a MAJOR.MINOR.PATCH"));

  auto failing = cache.detect(script(d, "failing", "echo 'boom' >&2; exit 3"), codex_requirement());
  CHECK_FALSE(failing.usable);
  CHECK_THAT(failing.problem, Catch::Contains("exited with status 3") && Catch::Contains("boom"));

  auto v_prefix = cache.detect(script(d, "v", "echo v1.2.3"), codex_requirement());
  CHECK(v_prefix.usable);
}

TEST_CASE("a hanging --version is killed with its whole process group", "[daemon][version]") {
  temp_dir d;
  auto pidfile = d / "grandchild.pid";
  // The child starts a grandchild that would keep running, then hangs.
  auto exe = script(d, "hang", "sleep 300 & echo $! > " + pidfile.string() + "\nsleep 300");
  version_cache cache([](const fs::path& p, std::chrono::milliseconds) { return probe_version(p, 500ms); });
  auto start = std::chrono::steady_clock::now();
  auto r = cache.detect(exe, codex_requirement());
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK_FALSE(r.usable);
  CHECK_THAT(r.problem, Catch::Contains("timed out"));
  auto grandchild = static_cast<pid_t>(std::stol(multicad::test::read_file(pidfile)));
  CHECK(multicad::test::wait_exit(grandchild, 5s));  // SIGKILLed with the group: it ends at once
}

TEST_CASE("the cache probes once per binary and again when it is replaced", "[daemon][version]") {
  temp_dir d;
  int probes = 0;
  version_cache cache([&](const fs::path& p, std::chrono::milliseconds l) {
    ++probes;
    return probe_version(p, l);
  });
  auto exe = script(d, "codex", "echo 'codex-cli 0.150.0'");
  bool fresh = false;
  CHECK(cache.detect(exe, codex_requirement(), &fresh).version->to_string() == "0.150.0");
  CHECK(fresh);
  CHECK(cache.detect(exe, codex_requirement(), &fresh).version->to_string() == "0.150.0");
  CHECK_FALSE(fresh);
  CHECK(probes == 1);

  // An upgrade replaces the file (new inode, size and mtime).
  auto tmp = d / "codex.new";
  write_file(tmp, "#!/bin/sh\necho 'codex-cli 0.171.0 (upgraded)'\n");
  fs::permissions(tmp, fs::perms::owner_all);
  fs::rename(tmp, exe);
  CHECK(cache.detect(exe, codex_requirement(), &fresh).version->to_string() == "0.171.0");
  CHECK(fresh);
  CHECK(probes == 2);
  CHECK(cache.cached(exe)->raw == "codex-cli 0.171.0 (upgraded)");

  fs::remove(exe);
  CHECK_THAT(cache.detect(exe, codex_requirement()).problem, Catch::Contains("no longer exists"));
}

TEST_CASE("find_executable searches PATH or takes a path", "[daemon][version]") {
  temp_dir d;
  auto exe = script(d, "mytool", "true");
  write_file(d / "b/mytool", "not executable");
  CHECK(find_executable("mytool", (d / "b").string() + ":" + d.path().string()) == exe);
  CHECK(find_executable("mytool", (d / "b").string()).empty());
  CHECK(find_executable(exe.string(), "") == exe);
  CHECK(find_executable((d / "missing").string(), "").empty());
  CHECK(find_executable("", d.path().string()).empty());
}
