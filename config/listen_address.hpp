// An address to listen on, as settings write it: "IPv4:PORT" or "[IPv6]:PORT"
// ("0.0.0.0:9464", "[::]:9464", "10.0.0.5:9464"). A literal address, never a
// host name: which interface a name resolves to can change under the daemon.
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace multicad::config {

struct listen_address {
  std::string host;  // the address literal, without brackets
  int port = 0;      // 1..65535
  std::string to_string() const;  // "10.0.0.5:9464", "[::]:9464"
};

// The address, or what is wrong with `text` (no source prefix).
std::variant<listen_address, std::string> parse_listen_address(std::string_view text);

}  // namespace multicad::config
