// MAJOR.MINOR.PATCH versions as agent CLIs print them ("codex-cli 0.171.0",
// "v2.0.1 (build 7)"). Pure functions; any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace multicad::execenv {

struct semver {
  std::uint32_t major = 0, minor = 0, patch = 0;
  auto operator<=>(const semver&) const = default;
  std::string to_string() const;
};

// The first MAJOR.MINOR.PATCH in `text`, with or without a leading "v",
// ignoring any text before or after (pre-release tags are not compared).
// nullopt when there is none or a component exceeds 32 bits.
std::optional<semver> find_semver(std::string_view text);

}  // namespace multicad::execenv
