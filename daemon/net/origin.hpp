// The parts of the server base URL that one HTTP connection needs: scheme,
// host, port, Host header and the path prefix every endpoint path is appended
// to (spec §1.1 keeps any base path other than /ws). Pure; any thread.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace multicad::net {

struct origin {
  bool tls = false;          // https
  std::string host;          // "example.com", "127.0.0.1", "::1" (no brackets)
  std::string port;          // always set: "443" for https, "80" for http unless given
  std::string host_header;   // "example.com", "[::1]:8080": the port only when not the scheme's default
  std::string path_prefix;   // "" or "/multica", without a trailing '/'
};

// Parses an http(s) base URL. Fails (with the reason) on another scheme, an
// empty host, user info, or a bad port. Query and fragment are dropped.
boost::system::result<origin, std::string> parse_origin(std::string_view base_url);

// True when `host` is an IPv4 or IPv6 literal (no SNI for those, RFC 6066 §3).
bool is_ip_literal(const std::string& host);

}  // namespace multicad::net
