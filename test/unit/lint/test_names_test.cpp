// CTest runs each Catch2 test by passing its name back as a filter, and
// Catch2 reads ',' as "or", '[' as a tag and a leading '-' as an option; a
// run that matches nothing exits 0. A test named with one of those would
// pass without running. This test fails on such a name.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

namespace fs = std::filesystem;

TEST_CASE("no test name contains characters that make ctest skip it silently", "[lint]") {
  const std::regex test_case(R"(TEST_CASE\(\s*"([^"]*)\")");
  std::vector<std::string> bad;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(MULTICAD_SOURCE_DIR) / "test")) {
    if (e.path().extension() != ".cpp") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (std::sregex_iterator it(text.begin(), text.end(), test_case), end; it != end; ++it) {
      std::string name = (*it)[1];
      if (name.find_first_of(",;[]") != std::string::npos || name.starts_with("-") || name.starts_with("~"))
        bad.push_back(e.path().filename().string() + ": " + name);
    }
  }
  INFO([&] { std::string s; for (auto& b : bad) s += b + "\n"; return s; }());
  CHECK(bad.empty());
}
