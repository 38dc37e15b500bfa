// Where and why a config.toml cannot be read or edited: the user's line and
// column (1-based; 0 when unknown) and what is wrong. Pure data.
#pragma once

#include <cstddef>
#include <string>

namespace multicad::execenv {

struct toml_problem {
  std::size_t line = 0, column = 0;
  std::string message;
};

}  // namespace multicad::execenv
