// The supported range lives in proto/codex/releases.hpp; the releases that
// are installed and tested live in scripts/setup.sh and test/CMakeLists.txt.
// They must agree, or "newest tested" would name a release no test ran on.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "proto/codex/releases.hpp"

using namespace multicad::proto::codex;

namespace {

std::string source(const char* relative) {
  std::ifstream in(std::string(MULTICAD_SOURCE_DIR) + "/" + relative);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string first_match(const std::string& text, const char* pattern) {
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(pattern)));
  return m[1];
}

}  // namespace

TEST_CASE("the newest tested release is the one setup.sh pins", "[proto][codex]") {
  auto setup = source("scripts/setup.sh");
  CHECK(first_match(setup, R"(\nCODEX_NPM_VERSION=([0-9.]+))") == newest_tested_release.to_string());
}

TEST_CASE("setup.sh installs the older releases the compat tests are registered for", "[proto][codex]") {
  auto installed = first_match(source("scripts/setup.sh"), R"re(\nCODEX_COMPAT_VERSIONS="([0-9. ]+)")re");
  auto registered = first_match(source("test/CMakeLists.txt"), R"(\nset\(MULTICAD_COMPAT_RELEASES ([0-9. ]+)\))");
  CHECK(installed == registered);
  // The minimum is among them: the oldest release the daemon accepts is tested.
  CHECK(installed.rfind(minimum_release.to_string() + " ", 0) == 0);
}

TEST_CASE("releases parse as three numbers and compare in order", "[proto][codex]") {
  CHECK(parse_release("0.140.0") == release{0, 140, 0});
  CHECK_FALSE(parse_release("0.140"));
  CHECK_FALSE(parse_release("0.140.0-alpha"));
  CHECK_FALSE(parse_release("v0.140.0"));
  CHECK(minimum_release < service_tier_release);
  CHECK(service_tier_release < free_service_tier_release);
  CHECK(free_service_tier_release < free_effort_release);
  CHECK(free_effort_release < newest_tested_release);
  CHECK(supported_range() == "supported: 0.100.0\u20130.171.0");
}
