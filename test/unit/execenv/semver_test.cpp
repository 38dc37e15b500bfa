#include <catch2/catch.hpp>

#include "execenv/semver.hpp"

using multicad::execenv::find_semver;
using multicad::execenv::semver;

TEST_CASE("find_semver takes the first MAJOR.MINOR.PATCH", "[execenv][semver]") {
  CHECK(find_semver("codex-cli 0.171.0") == semver{0, 171, 0});
  CHECK(find_semver("codex-cli 0.171.0\n") == semver{0, 171, 0});
  CHECK(find_semver("v1.2.3") == semver{1, 2, 3});
  CHECK(find_semver("2.0.14 (Claude Code)") == semver{2, 0, 14});
  CHECK(find_semver("tool 1.2.3-beta.4 build 5.6.7") == semver{1, 2, 3});
  CHECK(find_semver("version: 10.20.30, commit abc") == semver{10, 20, 30});
}

TEST_CASE("find_semver finds nothing in text without a full version", "[execenv][semver]") {
  for (const char* text : {"", "codex", "1.2", "v1", "1.2.x", "1.2.3.4", "99999999999.0.0"}) {
    INFO(text);
    CHECK_FALSE(find_semver(text).has_value());
  }
}

TEST_CASE("semver compares numerically", "[execenv][semver]") {
  CHECK(semver{0, 99, 9} < semver{0, 100, 0});
  CHECK(semver{0, 100, 0} == *find_semver("0.100.0"));
  CHECK(semver{1, 0, 0} > semver{0, 999, 999});
  CHECK(semver{0, 171, 0}.to_string() == "0.171.0");
}
