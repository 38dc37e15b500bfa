// UTF-8 decoding as Go's unicode/utf8 does it: an invalid or overlong
// sequence, a surrogate or a rune above U+10FFFF decodes as one invalid byte
// (RuneError, width 1). Header-only; pure; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace multicad::proto::toolbox {

struct decoded_rune {
  char32_t rune = 0xfffd;
  std::size_t width = 1;
  bool invalid = true;
};

// Requires: i < s.size().
inline decoded_rune decode_rune(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return {c, 1, false};
  if (c >= 0xc2 && c <= 0xdf && cont(1)) return {char32_t((c & 0x1f) << 6 | (b(1) & 0x3f)), 2, false};
  if (c >= 0xe0 && c <= 0xef && cont(1) && cont(2)) {
    char32_t r = (c & 0x0f) << 12 | (b(1) & 0x3f) << 6 | (b(2) & 0x3f);
    if (r >= 0x800 && (r < 0xd800 || r > 0xdfff)) return {r, 3, false};
  }
  if (c >= 0xf0 && c <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    char32_t r = (c & 0x07) << 18 | (b(1) & 0x3f) << 12 | (b(2) & 0x3f) << 6 | (b(3) & 0x3f);
    if (r >= 0x10000 && r <= 0x10ffff) return {r, 4, false};
  }
  return {};
}

inline void append_rune(std::string& out, char32_t r) {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xc0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xe0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  }
}

}  // namespace multicad::proto::toolbox
