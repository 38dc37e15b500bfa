// Parsing a config.toml's text with toml11 into a value or a problem that
// names the user's line and column. Shared by the editors of a task's Codex
// config (managed_block, codex_hygiene); includes toml11, so only their .cpp
// files include it. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <toml.hpp>

#include "execenv/toml_problem.hpp"

namespace multicad::execenv {

struct parsed_toml {
  std::optional<toml::value> value;
  toml_problem problem;  // set when value is empty
};

parsed_toml parse_toml(std::string_view text);

// A config.toml's bytes as its editors keep them: a UTF-8 byte order mark
// (or nothing), the body after it, and the body's line ending ("\r\n" when
// its first line ends so, else "\n").
struct toml_text {
  std::string_view bom, body, eol;
};
toml_text split_toml_text(std::string_view original);

}  // namespace multicad::execenv
