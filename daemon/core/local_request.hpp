// A request to the daemon's loopback endpoint (health_server.hpp) and the
// rules that keep other origins out of it. The port is on 127.0.0.1, but a
// web page the user visits can still reach it: through DNS rebinding (a
// name of the attacker's that resolves to 127.0.0.1, so the page may read
// the answers) or with a cross-origin POST (which it cannot read but which
// still acts). Pure; any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace multicad::core {

struct local_request {
  std::string method;  // "GET"
  std::string target;  // "/health?x=1", as sent
  std::string path;    // "/health"
  std::map<std::string, std::string> headers;  // names lower-cased; a repeated header keeps the last value
  std::string body;

  // The value of a header (lower-case name), or "" when absent.
  std::string header(std::string_view lower_name) const;
};

struct local_answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

// True when Host names this machine's loopback: 127.0.0.1, localhost or
// [::1] (any case), with `port` or without one. A rebinding page's requests
// carry its own host name, so they fail this.
bool is_loopback_host(std::string_view host, int port);

// True when a browser says the request comes from another origin: an Origin
// header that is not http://127.0.0.1|localhost|[::1]:port, or Sec-Fetch-Site
// other than same-origin/none. Command-line clients send neither.
bool is_cross_origin(const local_request& r, int port);

// True for a request a page cannot send without a CORS preflight (which the
// endpoint never grants): a JSON body (Content-Type application/json) or the
// X-Multicad-Client header. Endpoints that act require it.
bool is_non_simple(const local_request& r);

// The answers for a foreign Host (421) and for a cross-origin request to an
// endpoint that acts (403).
local_answer misdirected_answer();
local_answer cross_origin_answer();

}  // namespace multicad::core
