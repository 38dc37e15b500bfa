#include <catch2/catch.hpp>

#include "execenv/toml_layout.hpp"

using namespace multicad::execenv;
using kind = toml_statement::kind;

namespace {
std::vector<toml_statement> scan(std::string_view text) {
  auto st = scan_toml(text);
  REQUIRE(st.has_value());
  // Statements cover the text exactly, in order.
  std::size_t pos = 0;
  for (const auto& s : *st) {
    CHECK(s.begin == pos);
    pos = s.end;
  }
  CHECK(pos == text.size());
  return *st;
}
}  // namespace

TEST_CASE("scan_toml splits headers and key/values and comments and blanks", "[execenv][toml_layout]") {
  auto st = scan("# top\nmodel = \"x\" # trailing\n\n[profiles.\"a b\"]\nsandbox_mode = 'read-only'\n[[arr]]\n");
  REQUIRE(st.size() == 6);
  CHECK(st[0].type == kind::comment);
  CHECK(st[0].comment == "# top");
  CHECK(st[1].type == kind::key_value);
  CHECK(st[1].key == std::vector<std::string>{"model"});
  CHECK(st[1].value_text == "\"x\"");
  CHECK(st[2].type == kind::blank);
  CHECK(st[3].type == kind::table_header);
  CHECK(st[3].key == std::vector<std::string>{"profiles", "a b"});
  CHECK(st[4].line == 5);
  CHECK(st[4].key == std::vector<std::string>{"sandbox_mode"});
  CHECK(st[5].type == kind::array_header);
}

TEST_CASE("scan_toml keeps multi-line values in one statement", "[execenv][toml_layout]") {
  auto st = scan("a = \"\"\"\nsandbox_mode = \"x\"\n# not a comment\n\"\"\"\n"
                 "b = '''\n[not.a.table]\n'''\n"
                 "c = [\n  1, # one\n  [2, 3],\n]\n"
                 "d = \"\"\"ends with quotes\"\"\"\"\"\n"
                 "e = 1979-05-27 07:32:00Z\n");
  REQUIRE(st.size() == 5);
  CHECK(st[0].key == std::vector<std::string>{"a"});
  CHECK(st[1].key == std::vector<std::string>{"b"});
  CHECK(st[1].line == 5);
  CHECK(st[2].key == std::vector<std::string>{"c"});
  CHECK(st[3].value_text == "\"\"\"ends with quotes\"\"\"\"\"");
  CHECK(st[4].value_text == "1979-05-27 07:32:00Z");
}

TEST_CASE("scan_toml decodes dotted and quoted keys and inline tables", "[execenv][toml_layout]") {
  auto st = scan("sandbox_workspace_write . \"network_access\" = true\n"
                 "sandbox_workspace_write = { network_access = false, writable_roots = [\"/a\"] }\n"
                 "\"k\\u00e9y\" = 1\r\n");
  REQUIRE(st.size() == 3);
  CHECK(st[0].key == std::vector<std::string>{"sandbox_workspace_write", "network_access"});
  REQUIRE(st[1].inline_members.size() == 2);
  CHECK(st[1].inline_members[1].key_text == "writable_roots");
  CHECK(st[1].inline_members[1].value_text == "[\"/a\"]");
  CHECK(st[2].key == std::vector<std::string>{"k\xC3\xA9y"});
}

TEST_CASE("scan_toml refuses text it cannot place", "[execenv][toml_layout]") {
  CHECK_FALSE(scan_toml("a = \"unterminated\n").has_value());
  CHECK_FALSE(scan_toml("[table\n").has_value());
  CHECK_FALSE(scan_toml("= 1\n").has_value());
  CHECK_FALSE(scan_toml("a = [1, 2\n").has_value());
}
