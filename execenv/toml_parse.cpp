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

toml_text split_toml_text(std::string_view original) {
  constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
  toml_text t;
  t.bom = original.starts_with(utf8_bom) ? original.substr(0, utf8_bom.size()) : std::string_view{};
  t.body = original.substr(t.bom.size());
  auto nl = t.body.find('\n');
  t.eol = nl != std::string_view::npos && nl > 0 && t.body[nl - 1] == '\r' ? "\r\n" : "\n";
  return t;
}

}  // namespace multicad::execenv
