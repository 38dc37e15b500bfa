// Tells a running daemon that the local queue changed (POST /local/wake on
// its loopback health port), so a submitted task starts at once. Best
// effort and bounded: a missing daemon costs at most `limit`.
#pragma once

#include <chrono>
#include <string>

namespace multicad::cli {

enum class wake_result {
  woken,
  no_daemon,
  not_local_mode,
  store_lost,  // the daemon's store was deleted or replaced under it (503): it will never see the task
};

wake_result wake_local_daemon(int port, std::chrono::milliseconds limit = std::chrono::milliseconds(500));

}  // namespace multicad::cli
