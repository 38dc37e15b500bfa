#include "daemon/log/notices.hpp"

#include "daemon/log/log.hpp"

namespace multicad::log {

void write_notices(const std::vector<execenv::notice>& notices) {
  for (const auto& n : notices) {
    level l = level::info;
    switch (n.level) {
      case execenv::severity::debug: l = level::debug; break;
      case execenv::severity::info: l = level::info; break;
      case execenv::severity::warn: l = level::warn; break;
      case execenv::severity::error: l = level::error; break;
    }
    write(l, n.message, n.fields);
  }
}

}  // namespace multicad::log
