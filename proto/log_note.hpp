// A line a sans-I/O machine wants logged: the machine decides what is worth
// saying and at which level, the daemon writes it (daemon/log). Never sent to
// a server. Pure data; any thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace multicad::proto {

struct log_note {
  enum class level { debug, info, warn, error };
  level severity = level::info;
  std::string message;
  std::vector<std::pair<std::string, std::string>> fields;
  bool operator==(const log_note&) const = default;
};

}  // namespace multicad::proto
