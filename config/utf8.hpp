// UTF-8 validation before text reaches toml11: TOML must be UTF-8, and
// toml11 3.7 reads past the end of its buffer on some invalid sequences
// (found by fuzzing; upstream toml11 issue #199); and the code-point steps
// that let logs and folder names cut text without splitting a character.
// Pure; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace multicad::config {

struct text_position {
  std::size_t line = 1, column = 1;  // 1-based; column counts bytes
};

// Where the first byte that is not well-formed UTF-8 sits (overlong forms,
// surrogates and code points past U+10FFFF are not well-formed); nullopt
// when the whole text is valid.
std::optional<text_position> first_invalid_utf8(std::string_view text);

// The length (1-4) of the well-formed UTF-8 sequence at text[pos], or 0 when
// the byte there does not start one. Requires: pos < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);

// The longest prefix of at most max_bytes that does not end inside a
// well-formed sequence (a stray byte counts as one character).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace multicad::config
