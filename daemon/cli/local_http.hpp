// One HTTP request to the running daemon's loopback endpoint (status,
// wake), bounded in time: a missing daemon costs at most `limit`.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace multicad::cli {

struct local_reply {
  int status = 0;
  std::string body;
};

// nullopt when nothing answers on 127.0.0.1:port within `limit`.
std::optional<local_reply> local_http(int port, const std::string& method, const std::string& path,
                                      std::chrono::milliseconds limit = std::chrono::milliseconds(1000));

}  // namespace multicad::cli
