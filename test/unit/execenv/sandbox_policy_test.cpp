#include <catch2/catch.hpp>

#include "execenv/sandbox_policy.hpp"

using namespace multicad::execenv;
using multicad::config::codex_settings;
using multicad::config::sandbox_choice;

namespace {
struct row {
  platform on;
  const char* version;    // "" unknown
  const char* threshold;  // "" no fixed release
  sandbox_mode mode;
  bool fallback;
  const char* reason_has;
};
}  // namespace

TEST_CASE("the automatic policy follows the platform x version x threshold matrix", "[execenv][policy]") {
  using enum platform;
  const auto ww = sandbox_mode::workspace_write, dfa = sandbox_mode::danger_full_access;
  const row rows[] = {
      // Linux and Windows honour network_access: always workspace-write.
      {linux, "", "", ww, false, "linux"},
      {linux, "codex-cli 0.90.0", "", ww, false, "linux"},
      {linux, "codex-cli 0.171.0", "0.200.0", ww, false, "linux"},
      {linux, "garbage", "0.200.0", ww, false, "linux"},
      {windows, "", "", ww, false, "windows"},
      {windows, "codex-cli 0.171.0", "0.150.0", ww, false, "windows"},
      {windows, "nonsense", "", ww, false, "windows"},
      {windows, "codex-cli 0.120.0", "0.150.0", ww, false, "windows"},
      // macOS with no fixed release: every version falls back.
      {darwin, "", "", dfa, true, "version unknown"},
      {darwin, "codex-cli 0.171.0", "", dfa, true, "no Codex release fixes it yet"},
      {darwin, "codex-cli 0.90.0", "", dfa, true, "codex 0.90.0"},
      {darwin, "garbage", "", dfa, true, "unparsable"},
      // macOS once a fixed release exists.
      {darwin, "codex-cli 0.199.9", "0.200.0", dfa, true, "older than 0.200.0"},
      {darwin, "codex-cli 0.200.0", "0.200.0", ww, false, "honours network_access"},
      {darwin, "codex-cli 1.0.0", "0.200.0", ww, false, "honours network_access"},
      {darwin, "", "0.200.0", dfa, true, "version unknown"},
      {darwin, "garbage", "0.200.0", dfa, true, "unparsable"},
  };
  for (const auto& r : rows) {
    INFO(to_string(r.on) << " version=\"" << r.version << "\" threshold=\"" << r.threshold << "\"");
    auto p = choose_sandbox_policy(codex_settings{}, r.on, r.version, r.threshold);
    CHECK(p.mode == r.mode);
    CHECK(p.darwin_fallback == r.fallback);
    CHECK_FALSE(p.forced);
    CHECK_THAT(p.reason, Catch::Contains(r.reason_has));
    if (p.mode == sandbox_mode::workspace_write) CHECK(p.network_access);
  }
}

TEST_CASE("the shipped macOS threshold is empty: no Codex release has the fix yet", "[execenv][policy]") {
  CHECK(darwin_network_fixed_version.empty());
  auto p = choose_sandbox_policy(codex_settings{}, platform::darwin, "codex-cli 0.171.0");
  CHECK(p.mode == sandbox_mode::danger_full_access);
}

TEST_CASE("without network wanted macOS keeps workspace-write", "[execenv][policy]") {
  codex_settings c;
  c.network_access = false;
  auto p = choose_sandbox_policy(c, platform::darwin, "");
  CHECK(p.mode == sandbox_mode::workspace_write);
  CHECK_FALSE(p.network_access);
  CHECK_FALSE(p.darwin_fallback);
  auto l = choose_sandbox_policy(c, platform::linux, "");
  CHECK(l.mode == sandbox_mode::workspace_write);
  CHECK_FALSE(l.network_access);
}

TEST_CASE("an operator's explicit mode overrides the matrix everywhere", "[execenv][policy]") {
  const std::pair<sandbox_choice, sandbox_mode> forced[] = {
      {sandbox_choice::read_only, sandbox_mode::read_only},
      {sandbox_choice::workspace_write, sandbox_mode::workspace_write},
      {sandbox_choice::danger_full_access, sandbox_mode::danger_full_access}};
  for (auto [choice, mode] : forced)
    for (auto on : {platform::linux, platform::darwin, platform::windows}) {
      codex_settings c;
      c.sandbox = choice;
      auto p = choose_sandbox_policy(c, on, "", "");
      CHECK(p.mode == mode);
      CHECK(p.forced);
      CHECK_FALSE(p.darwin_fallback);
      CHECK_THAT(p.reason, Catch::StartsWith("forced by codex.sandbox = "));
    }
  codex_settings c;
  c.sandbox = sandbox_choice::workspace_write;
  CHECK_THAT(choose_sandbox_policy(c, platform::darwin, "").reason, Catch::Contains("Seatbelt ignores"));
}
