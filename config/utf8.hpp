// UTF-8 validation before text reaches toml11: TOML must be UTF-8, and
// toml11 3.7 reads past the end of its buffer on some invalid sequences
// (found by fuzzing; upstream toml11 issue #199). Pure; any thread.
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

}  // namespace multicad::config
