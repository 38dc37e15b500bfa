#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "execenv/codex_config.hpp"
#include "execenv/codex_hygiene.hpp"
#include "execenv/managed_block.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using multicad::test::read_file;
using multicad::test::temp_dir;
using multicad::test::write_file;

namespace {

sandbox_policy linux_policy() {
  sandbox_policy p;
  p.reason = "linux: workspace-write with network";
  return p;
}

sandbox_policy darwin_fallback() {
  sandbox_policy p;
  p.mode = sandbox_mode::danger_full_access;
  p.darwin_fallback = true;
  p.reason = "darwin: codex version unknown; tasks need network, so the sandbox is off";
  return p;
}

std::string field(const notice& n, const std::string& key) {
  for (const auto& [k, v] : n.fields)
    if (k == key) return v;
  return "<missing>";
}

ino_t inode_of(const std::filesystem::path& p) {
  struct stat st{};
  ::stat(p.c_str(), &st);
  return st.st_ino;
}

}  // namespace

// What the daemon writes after the sandbox block when the user has no
// config.toml (its exact text is codex_hygiene_test.cpp's business).
// What the writer adds for a Codex that reads agents.enabled (0.150 on, or unknown).
const std::string daemon_switches = apply_codex_hygiene("", {.agents_table = true}).rewrite->text;

TEST_CASE("codex config: a Codex before 0.150 gets no agents.enabled it would refuse", "[execenv][codex_config]") {
  temp_dir d;
  auto path = d / "config.toml";
  REQUIRE(write_managed_config(path, linux_policy(), "codex-cli 0.140.0").has_value());
  CHECK(read_file(path) == render_managed_block(linux_policy()) + "\n" + apply_codex_hygiene("", {}).rewrite->text);
  CHECK(read_file(path).find("agents.enabled") == std::string::npos);
  // The same folder reused after an upgrade gains it.
  REQUIRE(write_managed_config(path, linux_policy(), "codex-cli 0.150.0").value().written);
  CHECK(read_file(path) == render_managed_block(linux_policy()) + "\n" + daemon_switches);
}

TEST_CASE("codex config: no file yet gets the sandbox block and the daemon's switches", "[execenv][codex_config]") {
  temp_dir d;
  auto path = d / "config.toml";
  auto r = write_managed_config(path, linux_policy(), "0.171.0");
  REQUIRE(r.has_value());
  CHECK(r->written);
  CHECK(r->notices.empty());
  CHECK(read_file(path) == render_managed_block(linux_policy()) + "\n" + daemon_switches);
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
}

TEST_CASE("codex config: an unchanged file is not rewritten", "[execenv][codex_config]") {
  temp_dir d;
  auto path = d / "config.toml";
  write_file(path, "model = \"x\"\n");
  REQUIRE(write_managed_config(path, linux_policy(), "").value().written);
  auto before = inode_of(path);
  auto second = write_managed_config(path, linux_policy(), "");
  REQUIRE(second.has_value());
  CHECK_FALSE(second->written);
  CHECK(second->notices.empty());
  CHECK(inode_of(path) == before);  // an atomic rewrite would have replaced the inode
}

TEST_CASE("codex config: invalid user TOML is moved aside and the daemon's blocks written alone", "[execenv][codex_config]") {
  temp_dir d;
  auto path = d / "config.toml";
  const std::string bad = "model = \"x\"\n[profiles\n";
  write_file(path, bad);
  auto r = write_managed_config(path, linux_policy(), "");
  REQUIRE(r.has_value());
  CHECK(r->written);
  CHECK(read_file(d / "config.toml.invalid") == bad);
  CHECK(read_file(path) == render_managed_block(linux_policy()) + "\n" + daemon_switches);
  REQUIRE(r->notices.size() == 1);
  const auto& n = r->notices[0];
  CHECK(n.level == severity::warn);
  CHECK(n.message == "codex config: the user's config.toml is not valid TOML; moved aside");
  CHECK(field(n, "line") == "2");
  CHECK(field(n, "column") != "<missing>");
  CHECK(field(n, "config_path") == path.string());
  CHECK(field(n, "moved_to") == (d / "config.toml.invalid").string());
}

TEST_CASE("codex config: the macOS fallback WARNs once per write and never on no-ops", "[execenv][codex_config]") {
  temp_dir d;
  auto path = d / "config.toml";
  auto first = write_managed_config(path, darwin_fallback(), "");
  REQUIRE(first.has_value());
  REQUIRE(first->notices.size() == 1);
  const auto& n = first->notices[0];
  CHECK(n.level == severity::warn);
  CHECK(n.message == "codex sandbox: falling back to danger-full-access on macOS");
  CHECK(field(n, "reason") == darwin_fallback().reason);
  CHECK(field(n, "codex_version") == "unknown");
  CHECK_THAT(field(n, "hint"), Catch::Contains("upgrade Codex"));
  CHECK(field(n, "config_path") == path.string());

  auto again = write_managed_config(path, darwin_fallback(), "");
  REQUIRE(again.has_value());
  CHECK_FALSE(again->written);
  CHECK(again->notices.empty());

  std::filesystem::remove(path);
  auto versioned = write_managed_config(path, darwin_fallback(), "0.171.0");
  REQUIRE(versioned.has_value());
  CHECK(field(versioned->notices.at(0), "codex_version") == "0.171.0");
}

TEST_CASE("codex config: legacy keys are reported at INFO when removed", "[execenv][codex_config]") {
  temp_dir d;
  auto path = d / "config.toml";
  write_file(path, "sandbox_mode = \"danger-full-access\"\n");
  auto r = write_managed_config(path, linux_policy(), "");
  REQUIRE(r.has_value());
  REQUIRE(r->notices.size() == 1);
  CHECK(r->notices[0].level == severity::info);
  CHECK(field(r->notices[0], "removed") == "line 1: sandbox_mode");
}
