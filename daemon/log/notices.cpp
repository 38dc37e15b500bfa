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

void write_task_note(const proto::log_note& note, const std::string& task_id) {
  level l = level::info;
  switch (note.severity) {
    case proto::log_note::level::debug: l = level::debug; break;
    case proto::log_note::level::info: l = level::info; break;
    case proto::log_note::level::warn: l = level::warn; break;
    case proto::log_note::level::error: l = level::error; break;
  }
  auto fields = note.fields;
  fields.insert(fields.begin(), {"task_id", task_id});
  write(l, note.message, fields);
}

}  // namespace multicad::log
