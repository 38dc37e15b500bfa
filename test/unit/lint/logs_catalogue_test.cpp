// Every WARN and ERROR the daemon can print is explained in docs/logs.md.
// The test reads the sources for log calls, execenv notices and Codex
// session notes at warn or error level and checks each message's text
// (or its fixed start, for messages built at run time) is in the catalogue.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace fs = std::filesystem;

namespace {
std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
}  // namespace

TEST_CASE("every WARN and ERROR message is in docs/logs.md", "[lint]") {
  const auto catalogue = read_all(fs::path(MULTICAD_SOURCE_DIR) / "docs/logs.md");
  REQUIRE_FALSE(catalogue.empty());
  const std::regex call(
      R"re((?:log::(?:warn|error)\(|severity::(?:warn|error),|log_note::level::(?:warn|error),)\s*(?:std::string\()?"((?:[^"\\]|\\.)*)")re");
  std::set<std::string> missing;
  int found = 0;
  for (const char* dir : {"config", "execenv", "proto", "daemon"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(MULTICAD_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".cpp" && e.path().extension() != ".hpp") continue;
      auto text = read_all(e.path());
      for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
        ++found;
        std::string message = (*it)[1];
        if (catalogue.find(message) == std::string::npos) missing.insert(e.path().filename().string() + ": " + message);
      }
    }
  CHECK(found > 40);  // the scan itself works
  INFO([&] { std::string s; for (auto& m : missing) s += m + "\n"; return s; }());
  CHECK(missing.empty());
}
