// execenv::scan_toml (execenv/toml_layout.hpp) over arbitrary bytes. It must
// never crash or hang (libFuzzer's -timeout catches a hang); when it returns
// statements:
//  - they cover the text exactly and in order: the first begins at 0, each
//    begins where the previous ended, the last ends at the size, and none is
//    empty;
//  - each statement's `line` is 1 + the newlines before its `begin`;
//  - every view it returns (key_text, value_text, comment, inline members)
//    lies inside its own statement's bytes;
//  - key/value statements and headers have a non-empty key; a comment
//    starts with '#' and has no newline.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "execenv/toml_layout.hpp"
#include "fuzz/common/fuzz_check.hpp"

using namespace multicad::execenv;
using multicad::fuzz::escaped;
using kind = toml_statement::kind;

namespace {

// True when `part` is empty or a view into text[begin, end).
bool inside(std::string_view part, std::string_view text, std::size_t begin, std::size_t end) {
  if (part.empty()) return true;
  auto* lo = text.data() + begin;
  auto* hi = text.data() + end;
  return part.data() >= lo && part.data() + part.size() <= hi;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A view of libFuzzer's own buffer, which ends exactly at `size`: a read
  // past the end is an ASan report (a std::string copy would hide one byte).
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto statements = scan_toml(text);
  if (!statements) return 0;

  auto ctx = [&] { return "input \"" + escaped(text) + "\""; };  // built only on failure
  std::size_t pos = 0, line = 1;
  for (std::size_t i = 0; i < statements->size(); ++i) {
    const auto& s = (*statements)[i];
    auto at = [&] {
      return "statement " + std::to_string(i) + " [" + std::to_string(s.begin) + ", " + std::to_string(s.end) +
             ") of " + std::to_string(statements->size()) + "; " + ctx();
    };
    FUZZ_CHECK(s.begin == pos, "expected begin " + std::to_string(pos) + "; " + at());
    FUZZ_CHECK(s.end > s.begin, "an empty statement; " + at());
    FUZZ_CHECK(s.end <= text.size(), "ends past the text; " + at());
    FUZZ_CHECK(s.line == line, "line " + std::to_string(s.line) + ", expected " + std::to_string(line) + "; " + at());
    for (auto k = s.begin; k < s.end; ++k)
      if (text[k] == '\n') ++line;
    pos = s.end;

    FUZZ_CHECK(inside(s.key_text, text, s.begin, s.end), "key_text outside its statement; " + at());
    FUZZ_CHECK(inside(s.value_text, text, s.begin, s.end), "value_text outside its statement; " + at());
    FUZZ_CHECK(inside(s.comment, text, s.begin, s.end), "comment outside its statement; " + at());
    for (const auto& m : s.inline_members) {
      FUZZ_CHECK(inside(m.key_text, s.value_text, 0, s.value_text.size()), "inline key_text outside the value; " + at());
      FUZZ_CHECK(inside(m.value_text, s.value_text, 0, s.value_text.size()), "inline value_text outside the value; " + at());
      FUZZ_CHECK(!m.key.empty(), "an inline member without a key; " + at());
    }
    switch (s.type) {
      case kind::key_value:
        FUZZ_CHECK(!s.key.empty() && !s.key_text.empty(), "a key/value without a key; " + at());
        break;
      case kind::table_header:
      case kind::array_header:
        FUZZ_CHECK(!s.key.empty(), "a header without a name; " + at());
        FUZZ_CHECK(s.inline_members.empty() && s.value_text.empty(), "a header with a value; " + at());
        break;
      case kind::comment:
        FUZZ_CHECK(s.comment.starts_with('#') && s.comment.find('\n') == std::string_view::npos,
                   "a comment statement whose comment is \"" + escaped(s.comment) + "\"; " + at());
        break;
      case kind::blank:
        FUZZ_CHECK(s.key.empty() && s.value_text.empty(), "a blank statement with content; " + at());
        break;
    }
    if (s.type != kind::key_value)
      FUZZ_CHECK(s.inline_members.empty(), "inline members outside a key/value; " + at());
  }
  FUZZ_CHECK(pos == text.size(), "statements end at " + std::to_string(pos) + " of " + std::to_string(text.size()) +
                                     "; " + ctx());
  return 0;
}
