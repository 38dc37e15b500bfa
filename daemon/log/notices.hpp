// Logs the notices execenv returns (execenv reports, the daemon logs).
// Safe from any thread.
#pragma once

#include <vector>

#include "execenv/outcome.hpp"

namespace multicad::log {

void write_notices(const std::vector<execenv::notice>& notices);

}  // namespace multicad::log
