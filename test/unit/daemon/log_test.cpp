#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/log/log.hpp"

using namespace multicad::log;

TEST_CASE("log fields are key=value and quoted when needed", "[daemon][log]") {
  CHECK(format_text("codex sandbox: falling back", {{"reason", "two words"}, {"codex_version", "unknown"}}) ==
        "codex sandbox: falling back reason=\"two words\" codex_version=unknown");
  CHECK(format_text("m", {{"empty", ""}, {"quote", "a\"b"}, {"nl", "a\nb"}, {"eq", "a=b"}}) ==
        "m empty=\"\" quote=\"a\\\"b\" nl=\"a\\nb\" eq=\"a=b\"");
}

TEST_CASE("JSON log lines carry time and level and message and fields", "[daemon][log]") {
  auto line = format_json("2026-11-26T17:29:05.000Z", level::warn, "msg", {{"path", "/x y"}});
  auto j = nlohmann::json::parse(line);
  CHECK(j["level"] == "WARN");
  CHECK(j["msg"] == "msg");
  CHECK(j["path"] == "/x y");
  CHECK(j["time"] == "2026-11-26T17:29:05.000Z");
  CHECK(line.find('\n') == std::string::npos);
}
