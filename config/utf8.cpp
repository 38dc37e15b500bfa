#include "config/utf8.hpp"

#include <algorithm>

namespace multicad::config {

// RFC 3629; Table 3-7 of Unicode.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = at(i);
  if (b < 0x80) return 1;
  auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && at(k) >= lo && at(k) <= hi;
  };
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (b == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  std::size_t end = 0;
  while (end < text.size()) {
    auto n = std::max<std::size_t>(utf8_sequence_length(text, end), 1);
    if (end + n > max_bytes) break;
    end += n;
  }
  return text.substr(0, end);
}

std::optional<text_position> first_invalid_utf8(std::string_view text) {
  text_position pos;
  for (std::size_t i = 0; i < text.size();) {
    auto n = utf8_sequence_length(text, i);
    if (n == 0) return pos;
    if (text[i] == '\n') { ++pos.line; pos.column = 1; }
    else pos.column += n;
    i += n;
  }
  return std::nullopt;
}

}  // namespace multicad::config
