#include "config/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace multicad::config {

std::string listen_address::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::variant<listen_address, std::string> parse_listen_address(std::string_view text) {
  const std::string expected = "expected ADDRESS:PORT with a literal address, e.g. 0.0.0.0:9464 or [::]:9464";
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return expected;
  std::string_view host = text.substr(0, colon), port_text = text.substr(colon + 1);
  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  listen_address a{std::string(host), 0};
  unsigned char buf[16];
  bool v4 = !bracketed && ::inet_pton(AF_INET, a.host.c_str(), buf) == 1;
  bool v6 = bracketed && ::inet_pton(AF_INET6, a.host.c_str(), buf) == 1;
  if (!v4 && !v6) return "\"" + std::string(text.substr(0, colon)) + "\" is not an IP address; " + expected;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), a.port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || a.port < 1 || a.port > 65535)
    return "the port must be a whole number from 1 to 65535; " + expected;
  return a;
}

}  // namespace multicad::config
