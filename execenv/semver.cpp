#include "execenv/semver.hpp"

#include <charconv>

namespace multicad::execenv {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of digits at `pos`; advances `pos` past it.
std::optional<std::uint32_t> number(std::string_view text, std::size_t& pos) {
  auto start = pos;
  while (pos < text.size() && digit(text[pos])) ++pos;
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data() + start, text.data() + pos, v);
  if (pos == start || ec != std::errc{} || end != text.data() + pos) return std::nullopt;
  return v;
}

}  // namespace

std::string semver::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::optional<semver> find_semver(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A version starts at a digit that does not continue an earlier number.
    if (!digit(text[i]) || (i > 0 && (digit(text[i - 1]) || text[i - 1] == '.'))) continue;
    std::size_t pos = i;
    auto major = number(text, pos);
    if (!major || pos >= text.size() || text[pos] != '.') continue;
    ++pos;
    auto minor = number(text, pos);
    if (!minor || pos >= text.size() || text[pos] != '.') continue;
    ++pos;
    auto patch = number(text, pos);
    if (!patch || (pos < text.size() && (text[pos] == '.' || digit(text[pos])))) continue;
    return semver{*major, *minor, *patch};
  }
  return std::nullopt;
}

}  // namespace multicad::execenv
