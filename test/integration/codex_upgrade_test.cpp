// A Codex upgraded (or broken) on disk while the daemon runs is noticed by
// the next task without a restart: version_cache keys each detection by the
// binary's identity, and every task asks it again before preparing.
#include <catch2/catch.hpp>
#include <filesystem>

#include "test/support/daemon_process.hpp"
#include "test/support/fake_server.hpp"

using namespace multicad::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = "mul_0123456789abcdef0123456789abcdef01234567";

// Installs a `codex` that reports `version`, the way a package upgrade
// does: a new file renamed over the old one (a new inode).
void install_codex(const temp_dir& dir, const std::string& version) {
  auto staged = dir / "bin/codex.new";
  write_file(staged, "#!/bin/sh\nFAKE_CODEX_VERSION=" + version + " exec '" + fake_codex_path() + "' \"$@\"\n");
  std::filesystem::permissions(staged, std::filesystem::perms::owner_all);
  std::filesystem::rename(staged, dir / "bin/codex");
}

}  // namespace

TEST_CASE("a codex replaced on disk is detected again before the next task", "[integration][daemon]") {
  temp_dir dir;
  fake_server server;
  auto workspace = server.workspace_with_token(token);
  install_codex(dir, "0.171.0");
  daemon_process d(dir, {{"MULTICA_SERVER_URL", server.url()}, {"MULTICA_TOKEN", token},
                         {"MULTICA_CODEX_PATH", (dir / "bin/codex").string()}});
  INFO(d.log());
  REQUIRE(d.wait_ready());
  auto status_of = [&](const std::string& id) { return server.task(id).at("status").get<std::string>(); };
  auto add_task = [&] {
    return server.add_task(workspace, {{"agent", fake_codex_agent(dir, {{"FAKE_CODEX_ANSWER", "ok"}})}});
  };

  auto first = add_task();
  REQUIRE(eventually([&] { return status_of(first) == "completed"; }));
  CHECK(d.log().find("codex changed on disk") == std::string::npos);  // the start-up detection holds

  install_codex(dir, "0.172.0");
  auto second = add_task();
  REQUIRE(eventually([&] { return status_of(second) == "completed"; }));
  REQUIRE(d.wait_log("codex changed on disk; detected it again"));
  CHECK_THAT(d.log(), Catch::Contains("version=\"codex-cli 0.172.0\"") || Catch::Contains("version=codex-cli 0.172.0"));

  // Downgraded below what multicad supports: the task fails before Codex
  // starts, saying why, instead of running with the wrong sandbox block.
  install_codex(dir, "0.99.0");
  auto third = add_task();
  REQUIRE(eventually([&] { return status_of(third) == "failed"; }));
  CHECK_THAT(server.task(third).at("error").get<std::string>(), Catch::Contains("codex is not usable"));
}
