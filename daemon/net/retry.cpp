#include "daemon/net/retry.hpp"

#include <algorithm>
#include <cmath>

namespace multicad::net {

std::chrono::milliseconds backoff_delay(const retry_policy& p, int retry, double unit) {
  const double initial = std::max<double>(0, static_cast<double>(p.initial_backoff.count()));
  const double cap = std::max<double>(0, static_cast<double>(p.max_backoff.count()));
  // Computed in double so a large retry number saturates at the cap instead
  // of overflowing a shift.
  const double base = std::min(cap, initial * std::pow(2.0, std::max(0, retry)));
  const double jitter = std::clamp(p.jitter, 0.0, 1.0);
  const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(base * factor)));
}

std::chrono::milliseconds backoff_delay(const retry_policy& p, int retry, std::mt19937_64& rng) {
  return backoff_delay(p, retry, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

}  // namespace multicad::net
