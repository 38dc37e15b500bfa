#include "daemon/net/origin.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace multicad::net {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  int v = std::stoi(std::string(p));
  return v >= 1 && v <= 65535;
}

}  // namespace

boost::system::result<origin, std::string> parse_origin(std::string_view url) {
  origin o;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string("no scheme (expected http:// or https://)");
  auto scheme = lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return "unsupported scheme \"" + scheme + "\" (expected http or https)";
  o.tls = scheme == "https";
  auto rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  auto authority = rest.substr(0, rest.find('/'));
  auto path = rest.substr(authority.size());
  if (authority.find('@') != std::string_view::npos) return std::string("user info in the URL is not supported");

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::string("unterminated IPv6 address");
    o.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return std::string("unexpected text after the IPv6 address");
    if (!after.empty()) port = after.substr(1);
  } else {
    auto colon = authority.find(':');
    o.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (o.host.empty()) return std::string("no host");
  if (!port.empty() && !valid_port(port)) return "bad port \"" + std::string(port) + "\"";

  const std::string default_port = o.tls ? "443" : "80";
  o.port = port.empty() ? default_port : std::string(port);
  o.host_header = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  if (o.port != default_port) o.host_header += ":" + o.port;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  o.path_prefix = std::string(path);
  return o;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace multicad::net
