#include "proto/server/agent_api.hpp"

#include <algorithm>
#include <cctype>

namespace multicad::proto::server {

namespace {

// One id or key in a path: a UUID, an issue key (MUL-42), an agent id. Plain
// characters only, so no encoding can smuggle a '/' or '..' past the check.
bool plain_segment(std::string_view s) {
  return !s.empty() && s.size() <= 128 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// As Go's url.QueryUnescape reads a query component ('+' is a space).
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else out += s[i];
  }
  return out;
}

agent_call refuse(std::string why) { return {agent_call_kind::refused, std::move(why), {}, {}}; }

// Reads the query: a workspace chosen by slug is refused (the server takes it
// before the X-Workspace-ID header the daemon sets); workspace ids are named.
bool read_query(std::string_view query, agent_call& call) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    auto key = unescape(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string() : unescape(pair.substr(eq + 1));
    if (key == "workspace_slug") return false;
    if (key == "workspace_id") call.named_workspaces.push_back(value);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

agent_call scoped() { return {agent_call_kind::workspace_scoped, {}, {}, {}}; }

// The allow-list, by method and path shape (segments after "/api").
agent_call match(std::string_view method, const std::vector<std::string_view>& p) {
  const auto n = p.size();
  auto is = [&](std::size_t i, std::string_view s) { return i < n && p[i] == s; };
  const bool get = method == "GET";
  if (is(0, "issues")) {
    if (n == 1 && (get || method == "POST")) return scoped();                       // issue list / create
    if (n == 2 && is(1, "search") && get) return scoped();                          // issue search
    if (n == 2 && plain_segment(p[1]) && (get || method == "PUT")) return scoped();  // get / status / update / assign
    if (n == 3 && plain_segment(p[1]) && is(2, "comments") && (get || method == "POST")) return scoped();
    if (n == 3 && plain_segment(p[1]) && is(2, "task-runs") && get) return scoped();
  }
  if (n == 2 && is(0, "comments") && plain_segment(p[1]) && method == "DELETE") return scoped();
  if (is(0, "workspaces") && n >= 2 && plain_segment(p[1]) && get && (n == 2 || (n == 3 && is(2, "members"))))
    return {agent_call_kind::workspace_path, {}, {std::string(p[1])}, {}};
  if (is(0, "agents") && get && (n == 1 || (n == 2 && plain_segment(p[1])))) return scoped();
  if (n == 2 && is(0, "attachments") && plain_segment(p[1]) && get) return scoped();
  if (n == 1 && is(0, "upload-file") && method == "POST") return scoped();
  if (n == 4 && is(0, "daemon") && is(1, "tasks") && plain_segment(p[2]) && is(3, "messages") && get)
    return {agent_call_kind::run_messages, {}, {}, std::string(p[2])};
  return refuse("not a call the multica commands of an agent make");
}

}  // namespace

agent_call classify_agent_call(std::string_view method, std::string_view target) {
  auto q = target.find('?');
  auto path = target.substr(0, q);
  auto query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (!path.starts_with("/api/")) return refuse("not an API path");
  auto segments = split(path.substr(5));
  if (std::any_of(segments.begin(), segments.end(), [](std::string_view s) { return s.empty(); }))
    return refuse("an empty path segment");
  auto call = match(method, segments);
  if (call.kind == agent_call_kind::refused) return call;
  if (!read_query(query, call)) return refuse("workspace_slug is not allowed: the daemon scopes every call to the task's workspace");
  return call;
}

}  // namespace multicad::proto::server
