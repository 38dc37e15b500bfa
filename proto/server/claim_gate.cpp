#include "proto/server/claim_gate.hpp"

namespace multicad::proto::server {

void claim_gate::lost(time_point now) {
  const auto until = now + uncertain_window;
  if (!until_ || *until_ < until) until_ = until;  // a second loss extends, never shortens
}

std::optional<claim_gate::duration> claim_gate::suppressed_for(time_point now) const {
  if (!until_ || now >= *until_) return std::nullopt;
  return std::chrono::ceil<duration>(*until_ - now);
}

}  // namespace multicad::proto::server
