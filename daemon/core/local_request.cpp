#include "daemon/core/local_request.hpp"

#include <cctype>

namespace multicad::core {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "host" or "host:port" with a matching port; `host` already lower-cased.
bool names_loopback(std::string_view hostport, int port) {
  const std::string want_port = std::to_string(port);
  for (std::string_view name : {"127.0.0.1", "localhost", "[::1]"}) {
    if (!hostport.starts_with(name)) continue;
    auto rest = hostport.substr(name.size());
    if (rest.empty() || rest == ":" + want_port) return true;
  }
  return false;
}

}  // namespace

std::string local_request::header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

bool is_loopback_host(std::string_view host, int port) { return names_loopback(lower(host), port); }

bool is_cross_origin(const local_request& r, int port) {
  auto origin = lower(r.header("origin"));
  if (!origin.empty()) {
    if (!origin.starts_with("http://") || !names_loopback(std::string_view(origin).substr(7), port)) return true;
  }
  auto site = lower(r.header("sec-fetch-site"));
  return !site.empty() && site != "same-origin" && site != "none";
}

bool is_non_simple(const local_request& r) {
  auto type = lower(r.header("content-type"));
  auto semicolon = type.find(';');
  if (semicolon != std::string::npos) type.resize(semicolon);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/json" || r.headers.count("x-multicad-client") > 0;
}

local_answer misdirected_answer() {
  return {421, "text/plain; charset=utf-8",
          "misdirected request: this endpoint answers only to Host 127.0.0.1, localhost or [::1]\n", {}};
}

local_answer cross_origin_answer() {
  return {403, "text/plain; charset=utf-8",
          "cross-origin request refused: send it from a local program with Content-Type: application/json\n", {}};
}

}  // namespace multicad::core
