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

TEST_CASE("a hostile value is capped with a marker and cut on a code point", "[daemon][log][security]") {
  auto line = format_text("task claimed", {{"task_id", std::string(100'000, 'a')}});
  CHECK(line.size() < 2200);
  CHECK_THAT(line, Catch::EndsWith("\u2026(100000 bytes)\""));
  // 2047 bytes of 'x' then a 3-byte character: the cut must not split it.
  auto cut = format_text("m", {{"v", std::string(2047, 'x') + "\u20ac" + std::string(10, 'y')}});
  CHECK(cut.find("\u20ac") == std::string::npos);
  CHECK(cut.find("\xe2\x82") == std::string::npos);
  CHECK_THAT(cut, Catch::Contains(std::string(2047, 'x') + "\u2026(2060 bytes)"));
  auto j = nlohmann::json::parse(format_json("t", level::info, std::string(20'000, 'm'), {{"id", std::string(5000, 'i')}}));
  CHECK(j["id"].get<std::string>().size() < 2100);
  CHECK(j["msg"].get<std::string>().size() < 8300);
}

TEST_CASE("control and bidi characters are escaped in text logs", "[daemon][log][security]") {
  // U+202E (right-to-left override) would make the rest of the line read backwards on a terminal.
  CHECK(format_text("m", {{"name", "abc\u202Egnp.exe"}}) == "m name=\"abc\\u202egnp.exe\"");
  CHECK(format_text("m", {{"v", "a\x1b[31mred"}}) == "m v=\"a\\x1b[31mred\"");
  CHECK(format_text("m", {{"v", "c1\xc2\x85" "end"}}) == "m v=\"c1\\u0085end\"");
  CHECK(format_text("m", {{"v", "bad\xff" "byte"}}) == "m v=\"bad\\xffbyte\"");
  CHECK(format_text("m", {{"v", "zero\u200Bwidth"}}) == "m v=\"zero\\u200bwidth\"");
  CHECK(format_text("line\nbreak\u2066", {}) == "line\\nbreak\\u2066");
  CHECK(format_text("m", {{"v", "caf\u00e9"}}) == "m v=\"caf\u00e9\"");  // ordinary text stays readable
}

TEST_CASE("JOURNAL_STREAM counts only when it names the file stderr is", "[daemon][log]") {
  CHECK(journal_stream_matches("8:12345", 8, 12345));
  CHECK_FALSE(journal_stream_matches("8:12345", 8, 12346));  // inherited, but stderr is elsewhere (a terminal)
  CHECK_FALSE(journal_stream_matches("9:12345", 8, 12345));
  CHECK(journal_stream_matches("18446744073709551615:1", 18446744073709551615ULL, 1));
  for (const char* bad : {"", "8", "8:", ":12345", "8:12345x", "x8:12345", "8:-1", "8 :12345"}) {
    INFO(bad);
    CHECK_FALSE(journal_stream_matches(bad, 8, 12345));
  }
}
