// Where each statement of a TOML document sits in its bytes: table headers,
// key/value pairs (including multi-line strings and arrays) and comment lines.
// toml11 gives values, not the byte ranges of the lines that wrote them; the
// managed-block editor needs ranges to remove or move lines while keeping
// every other byte. Pure; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::execenv {

struct toml_member {
  std::vector<std::string> key;  // dotted key, each part decoded
  std::string_view key_text;     // the key as written
  std::string_view value_text;   // the value as written
};

struct toml_statement {
  enum class kind { blank, comment, table_header, array_header, key_value };
  kind type = kind::blank;
  std::vector<std::string> key;  // header name or key path, each part decoded
  std::size_t begin = 0;         // start of the statement's first line
  std::size_t end = 0;           // just past the newline ending its last line (or the end of text)
  std::size_t line = 1;          // 1-based line of `begin`
  std::string_view key_text;     // key_value: the key as written
  std::string_view value_text;   // key_value: the value as written
  std::vector<toml_member> inline_members;  // key_value whose value is an inline table
  std::string_view comment;      // comment: the line without its newline and trailing spaces
};

// Splits `text` into statements covering it completely and in order.
// Requires: `text` is syntactically valid TOML (check with toml11 first);
// returns nullopt if the scanner meets something it cannot place.
std::optional<std::vector<toml_statement>> scan_toml(std::string_view text);

}  // namespace multicad::execenv
