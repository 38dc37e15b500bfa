// How the local task commands print tasks and events, as text for people
// or JSON for scripts. Pure output; any thread.
#pragma once

#include <ostream>
#include <vector>

#include "daemon/store/local_tasks.hpp"

namespace multicad::cli {

void print_event(std::ostream& out, const store::local_event& e, bool json);
void print_outcome(std::ostream& out, const store::local_task& t, bool json);
void print_task(std::ostream& out, const store::local_task& t, const std::vector<store::local_usage>& usage, bool json);
void print_task_list(std::ostream& out, const std::vector<store::local_task>& tasks, bool json);

}  // namespace multicad::cli
