#include "execenv/toml_parse.hpp"

#include <sstream>

#include "config/utf8.hpp"

namespace multicad::execenv {

parsed_toml parse_toml(std::string_view text) {
  if (auto bad = config::first_invalid_utf8(text))
    return {std::nullopt, {bad->line, bad->column, "the file is not valid UTF-8 here"}};
  std::istringstream in{std::string(text)};
  try {
    return {toml::parse(in, "config.toml"), {}};
  } catch (const toml::syntax_error& e) {
    std::string what = e.what();
    auto first = what.substr(0, what.find('\n'));
    if (first.starts_with("[error] ")) first.erase(0, 8);
    return {std::nullopt, {e.location().line(), e.location().column(), first}};
  } catch (const std::exception& e) {
    return {std::nullopt, {0, 0, e.what()}};
  }
}

}  // namespace multicad::execenv
