// Cutting text for the wire without splitting a UTF-8 character, so a
// capped message or tool output stays printable. Header-only; pure; any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace multicad::proto {

// The longest prefix of at most `max` bytes that does not end inside a
// UTF-8 sequence: a cut backs up over continuation bytes (10xxxxxx).
inline std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace multicad::proto
