// The Codex releases multicad supports, in one place: the minimum the daemon
// accepts, the newest the compatibility suite ran on (equal to
// CODEX_NPM_VERSION in scripts/setup.sh; a unit test checks), and the first
// releases that accept the optional thread/turn parameters the daemon sends.
// docs/codex-compatibility.md tells what changed where. Constants; any thread.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace multicad::proto::codex {

struct release {
  int major = 0, minor = 0, patch = 0;
  auto operator<=>(const release&) const = default;
  std::string to_string() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  }
};

// "0.140.0" (exactly three dot-separated numbers); nullopt otherwise.
std::optional<release> parse_release(std::string_view text);

inline constexpr release minimum_release{0, 100, 0};
inline constexpr release newest_tested_release{0, 171, 0};

// thread/start, thread/resume and turn/start take `serviceTier` from here on
// (0.100.0 has no such parameter).
inline constexpr release service_tier_release{0, 110, 0};
// Up to 0.130.x `serviceTier` is the enum fast|flex and `effort` the enum
// none|minimal|low|medium|high|xhigh; from 0.140.0 (tier from 0.130.0) both
// are free strings the model advertises.
inline constexpr release free_effort_release{0, 140, 0};
inline constexpr release free_service_tier_release{0, 130, 0};

// "supported: 0.100.0–0.171.0", the tail of every protocol-deviation reason.
inline std::string supported_range() {
  return "supported: " + minimum_release.to_string() + "\u2013" + newest_tested_release.to_string();
}

}  // namespace multicad::proto::codex
