// <state_dir>/daemon.json: where a running daemon listens, for the CLI.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "config/settings.hpp"
#include "daemon/cli/daemon_locator.hpp"
#include "daemon/core/daemon_record.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad;
using multicad::test::temp_dir;
namespace fs = std::filesystem;

TEST_CASE("the daemon record round-trips and is private to its user", "[daemon][record]") {
  temp_dir dir;
  REQUIRE(core::write_daemon_record(dir.path(), {::getpid(), 4242, "2026-11-26T12:00:00Z", "[::]:9464"}).empty());
  struct stat st {};
  REQUIRE(::stat((dir / "daemon.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto r = core::read_daemon_record(dir.path());
  REQUIRE(r);
  CHECK(r->pid == ::getpid());
  CHECK(r->port == 4242);
  CHECK(r->started_at == "2026-11-26T12:00:00Z");
  CHECK(r->metrics_listen == "[::]:9464");
}

TEST_CASE("the daemon record is removed only by the daemon it names", "[daemon][record]") {
  temp_dir dir;
  REQUIRE(core::write_daemon_record(dir.path(), {::getpid(), 4242, "", ""}).empty());
  core::remove_daemon_record(dir.path(), ::getpid() + 1);  // a newer daemon wrote it: not ours
  CHECK(fs::exists(dir / "daemon.json"));
  core::remove_daemon_record(dir.path(), ::getpid());
  CHECK_FALSE(fs::exists(dir / "daemon.json"));
}

TEST_CASE("a garbled daemon record reads as none", "[daemon][record]") {
  temp_dir dir;
  for (const char* text : {"", "{", "[]", "{\"pid\":\"12\",\"port\":1}", "{\"pid\":12,\"port\":70000}",
                           "{\"pid\":12,\"port\":80,\"started_at\":5}"}) {
    multicad::test::write_file(dir / "daemon.json", text);
    INFO(text);
    auto r = core::read_daemon_record(dir.path());
    if (std::string(text).find("started_at") != std::string::npos) {
      REQUIRE(r);  // a wrong-typed optional field is only dropped
      CHECK(r->started_at.empty());
    } else {
      CHECK_FALSE(r);
    }
  }
}

TEST_CASE("the CLI uses the recorded port while that daemon lives and health_port after", "[cli][record]") {
  temp_dir dir;
  config::settings s;
  s.state_dir = dir.path();
  s.health_port = 19514;
  CHECK(cli::locate_daemon(s).port == 19514);  // no record
  REQUIRE(core::write_daemon_record(dir.path(), {::getpid(), 4242, "", ""}).empty());
  auto at = cli::locate_daemon(s);
  CHECK(at.port == 4242);
  CHECK(at.source == (dir / "daemon.json").string() + " (pid " + std::to_string(::getpid()) + ")");
  // A pid no process has (pid_max is at most 2^22): the record is stale.
  REQUIRE(core::write_daemon_record(dir.path(), {(1 << 22) + 1, 4242, "", ""}).empty());
  CHECK(cli::locate_daemon(s).port == 19514);
  CHECK(cli::locate_daemon(s).source == "health_port");
}
