// The JSON the local endpoint serves: /health in the shape the Multica CLI
// and desktop app read (spec/server-api.md §11: status, pid, uptime,
// daemon_id, ...), plus what `multicad status` shows (running tasks, last
// server contact and error, outbox depth, disk figures and the workspaces
// root `multicad disk-usage` measures). Thread rule: the io_context.
#pragma once

#include <string>

#include "daemon/core/services.hpp"

namespace multicad::core {

std::string health_json(services& svc, const std::string& server_url);

}  // namespace multicad::core
