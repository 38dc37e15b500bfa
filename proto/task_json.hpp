// The Task object decoder over an already-parsed JSON value, for decoders of
// bodies that embed tasks (claim's {"task": ...}, the pending list).
// Internal to proto/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "proto/task.hpp"

namespace multicad::proto::detail {

// Decodes the Task object `j`; errors name fields below `path` ("claim.task.id").
// Throws field_error (json_fields.hpp) on a wrong type or a missing id.
task decode_task_object(const nlohmann::json& j, const std::string& path = "task");

}  // namespace multicad::proto::detail
