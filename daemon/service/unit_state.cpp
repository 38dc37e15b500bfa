#include "daemon/service/unit_state.hpp"

#include <charconv>

namespace multicad::service {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

long to_pid(std::string_view s) {
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && end == s.data() + s.size() ? v : 0;
}

// Calls f(key, value) for each line of `text` split at the first `separator`.
template <class F>
void for_each_pair(std::string_view text, std::string_view separator, F f) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto at = line.find(separator);
    if (at != std::string_view::npos) f(trim(line.substr(0, at)), trim(line.substr(at + separator.size())));
  }
}

}  // namespace

std::vector<std::string> systemctl_show_properties() {
  return {"-p", "ActiveState,SubState,UnitFileState,MainPID,StatusText"};
}

unit_state parse_systemctl_show(std::string_view text) {
  unit_state s;
  for_each_pair(text, "=", [&](std::string_view key, std::string_view value) {
    if (key == "ActiveState") s.active = value;
    else if (key == "SubState") s.sub = value;
    else if (key == "UnitFileState") s.enabled = value;
    else if (key == "MainPID") s.main_pid = to_pid(value);
    else if (key == "StatusText") s.status = value;
  });
  return s;
}

unit_state parse_launchctl_print(std::string_view text) {
  unit_state s;
  s.enabled = "loaded";  // print succeeds only for a loaded service
  s.active = "not running";
  // Nested blocks (endpoints, environment) are indented further; the
  // service's own keys come first, so the first match of each wins.
  bool seen_state = false, seen_pid = false, seen_exit = false;
  for_each_pair(text, " = ", [&](std::string_view key, std::string_view value) {
    if (key == "state" && !seen_state) {
      seen_state = true;
      s.active = value == "running" ? "running" : "not running";
      s.sub = value;
    } else if (key == "pid" && !seen_pid) {
      seen_pid = true;
      s.main_pid = to_pid(value);
    } else if (key == "last exit code" && !seen_exit) {
      seen_exit = true;
      s.status = "last exit code = " + std::string(value);
    }
  });
  return s;
}

}  // namespace multicad::service
