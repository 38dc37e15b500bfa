// Property checks for the fuzz targets: a failed property prints what was
// expected and the values involved, then aborts, which libFuzzer reports as a
// crash and saves the input as an artifact (fuzz/README.md). Header-only.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace multicad::fuzz {

// `text` with control bytes, quotes and non-ASCII bytes escaped, cut at
// `max` bytes, so a report stays one readable line.
inline std::string escaped(std::string_view text, std::size_t max = 400) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c < 0x20 || c >= 0x7f) { out += "\\x"; out += hex[c >> 4]; out += hex[c & 15]; }
    else out += static_cast<char>(c);
  }
  if (text.size() > max) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "\n==== multicad fuzz: PROPERTY FAILED at %s:%d\n==== expected: %s\n", file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "==== %s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace multicad::fuzz

// FUZZ_CHECK(condition, detail): `detail` is a std::string expression,
// evaluated only when the property fails.
#define FUZZ_CHECK(condition, detail)                                                  \
  do {                                                                                 \
    if (!(condition)) ::multicad::fuzz::fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)
