#include <catch2/catch.hpp>

#include "config/utf8.hpp"

using multicad::config::first_invalid_utf8;

TEST_CASE("well-formed UTF-8 passes", "[config][utf8]") {
  CHECK_FALSE(first_invalid_utf8("").has_value());
  CHECK_FALSE(first_invalid_utf8("plain ascii\n").has_value());
  CHECK_FALSE(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80").has_value());
  CHECK_FALSE(first_invalid_utf8("\xEF\xBB\xBFwith a BOM").has_value());
}

TEST_CASE("ill-formed UTF-8 is found with its line and column", "[config][utf8]") {
  auto p = first_invalid_utf8("ok\nab\xff");
  REQUIRE(p.has_value());
  CHECK(p->line == 2);
  CHECK(p->column == 3);
  for (const char* bad : {"\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC3", "\x80", "\xF8\x88\x80\x80\x80"}) {
    INFO(bad);
    CHECK(first_invalid_utf8(bad).has_value());
  }
}
