#include "proto/codex/releases.hpp"

#include <charconv>

namespace multicad::proto::codex {

std::optional<release> parse_release(std::string_view text) {
  int parts[3] = {0, 0, 0};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc{} || next == p || parts[i] < 0) return std::nullopt;
    p = next;
  }
  if (p != end) return std::nullopt;
  return release{parts[0], parts[1], parts[2]};
}

}  // namespace multicad::proto::codex
