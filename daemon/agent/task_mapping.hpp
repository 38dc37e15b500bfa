// Converts the server's claimed task (proto) into what execenv needs to
// write context files and skills. Pure; any thread.
#pragma once

#include "execenv/task_context.hpp"
#include "proto/task.hpp"

namespace multicad::agent {

execenv::task_context to_task_context(const proto::task& t);

}  // namespace multicad::agent
