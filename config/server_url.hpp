// The Multica server base URL, normalised as spec/server-api.md §1.1 says.
// Pure function; any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace multicad::config {

// On success the normalised base URL, e.g. "ws://host:8080/ws" -> "http://host:8080";
// on failure a message saying what is wrong with the input (no source prefix).
// Rules: ws->http, wss->https, http/https kept, any other scheme rejected; a path
// of exactly "/ws" is removed, any other kept; query and fragment dropped;
// trailing '/' trimmed; a host is required.
struct url_error {
  std::string message;
};
std::variant<std::string, url_error> normalize_server_url(std::string_view configured);

}  // namespace multicad::config
