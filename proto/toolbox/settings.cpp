#include "proto/toolbox/settings.hpp"

#include "proto/toolbox/go_json.hpp"
#include "proto/toolbox/go_text.hpp"

namespace multicad::proto::toolbox {

namespace {

// The commands that build an API client (newAPIClient); the others never
// look at the server settings.
bool uses_client(command_id id) {
  switch (id) {
    case command_id::repo_checkout: case command_id::version: case command_id::help:
    case command_id::not_implemented: case command_id::group:
      return false;
    default:
      return true;
  }
}

std::string flag_or_env(const invocation& inv, const std::string& flag, const environment& env, const std::string& var) {
  if (inv.flags.changed(flag)) return inv.flags.get(flag);
  return trim_space(env.get(var));
}

}  // namespace

cli_config parse_cli_config(std::string_view text) {
  auto decoded = go_unmarshal(text, go_shape::object);
  if (!decoded.ok() || !decoded.value.is_object()) return {};
  cli_config c;
  struct field { const char* name; std::string* into; } fields[] = {
      {"server_url", &c.server_url}, {"app_url", &c.app_url}, {"workspace_id", &c.workspace_id}, {"token", &c.token}};
  for (const auto& f : fields) {
    const nlohmann::json* match = nullptr;
    if (auto it = decoded.value.find(f.name); it != decoded.value.end()) match = &*it;
    for (auto it = decoded.value.begin(); !match && it != decoded.value.end(); ++it)
      if (to_lower(it.key()) == f.name) match = &*it;
    if (!match || match->is_null()) continue;
    if (!match->is_string()) return {};  // json: cannot unmarshal … into Go struct field
    *f.into = match->get<std::string>();
  }
  return c;
}

std::string cli_config_path(const environment& env, const std::string& profile) {
  std::string home = env.get("HOME");
  if (home.empty()) return "";
  if (profile.empty()) return home + "/.multica/config.json";
  return home + "/.multica/profiles/" + profile + "/config.json";
}

bool config_needed(const invocation& inv, const environment& env) {
  if (!uses_client(inv.command().id)) return false;
  return flag_or_env(inv, "server-url", env, "MULTICA_SERVER_URL").empty() ||
         flag_or_env(inv, "workspace-id", env, "MULTICA_WORKSPACE_ID").empty() ||
         trim_space(env.get("MULTICA_TOKEN")).empty();
}

std::string normalize_server_url(std::string_view raw) {
  auto scheme_end = raw.find("://");
  if (scheme_end == std::string_view::npos) return std::string(raw);
  std::string scheme = to_lower(raw.substr(0, scheme_end));
  if (scheme == "ws") scheme = "http";
  else if (scheme == "wss") scheme = "https";
  else if (scheme != "http" && scheme != "https") return std::string(raw);
  auto rest = raw.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  auto authority = rest.substr(0, rest.find('/'));
  auto host = authority.substr(authority.find('@') == std::string_view::npos ? 0 : authority.find('@') + 1);
  if (host.empty() || host.front() == ':') return std::string(raw);
  auto path = rest.substr(authority.size());
  if (path == "/ws") path = "";
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return scheme + "://" + std::string(authority) + std::string(path);
}

client_settings resolve_client(const invocation& inv, const environment& env, const cli_config& config) {
  client_settings s;
  std::string url = flag_or_env(inv, "server-url", env, "MULTICA_SERVER_URL");
  if (url.empty()) url = config.server_url;
  s.server_configured = !url.empty();
  if (!url.empty()) s.server_url = normalize_server_url(url);
  // NewAPIClient trims trailing '/' once more (a URL kept as typed may still end in one).
  while (!s.server_url.empty() && s.server_url.back() == '/') s.server_url.pop_back();
  s.workspace_id = flag_or_env(inv, "workspace-id", env, "MULTICA_WORKSPACE_ID");
  if (s.workspace_id.empty()) s.workspace_id = config.workspace_id;
  s.token = trim_space(env.get("MULTICA_TOKEN"));
  if (s.token.empty()) s.token = config.token;
  s.agent_id = env.get("MULTICA_AGENT_ID");
  s.task_id = env.get("MULTICA_TASK_ID");
  return s;
}

}  // namespace multicad::proto::toolbox
