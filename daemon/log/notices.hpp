// Logs what the sans-I/O layers hand back: execenv's notices and the
// lifecycle machines' notes (they decide what to say, the daemon writes it).
// Safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "execenv/outcome.hpp"
#include "proto/log_note.hpp"

namespace multicad::log {

void write_notices(const std::vector<execenv::notice>& notices);

// One machine note about a task: task_id first, then the note's fields.
void write_task_note(const proto::log_note& note, const std::string& task_id);

}  // namespace multicad::log
