#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "config/keys.hpp"

TEST_CASE("docs/configuration.md documents every key and variable and flag", "[config][docs]") {
  std::ifstream in(std::string(MULTICAD_SOURCE_DIR) + "/docs/configuration.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = text.str();
  for (const auto& k : multicad::config::all_keys()) {
    INFO(k.name);
    CHECK(doc.find("| `" + std::string(k.name) + "` |") != std::string::npos);
    if (!k.env.empty()) CHECK(doc.find("`" + std::string(k.env) + "`") != std::string::npos);
    if (!k.flag.empty()) CHECK(doc.find("`--" + std::string(k.flag) + "`") != std::string::npos);
  }
}
