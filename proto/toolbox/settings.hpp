// Where the `multica` command finds its server, workspace and token
// (agent-toolbox.md §2.1, §10.1): flags, then MULTICA_* variables, then the
// Multica CLI's config file (~/.multica/config.json, or
// ~/.multica/profiles/<name>/config.json with --profile). Pure: the caller
// reads the file (only when config_needed() says so) and passes its text.
// Any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proto/toolbox/command_line.hpp"

namespace multicad::proto::toolbox {

struct environment {
  std::map<std::string, std::string> vars;
  std::string get(const std::string& name) const {
    auto it = vars.find(name);
    return it == vars.end() ? "" : it->second;
  }
};

// The CLI config file's fields (all optional strings).
struct cli_config {
  std::string server_url, app_url, workspace_id, token;
};

// json.Unmarshal into the CLI's config struct: keys match exactly or, failing
// that, case-insensitively; any error (bad JSON, a non-string value) gives
// the empty config, as the CLI treats an unreadable file.
cli_config parse_cli_config(std::string_view text);

// The config file's path: "" when HOME is not set.
std::string cli_config_path(const environment& env, const std::string& profile);

// True when resolving this command's settings would read the config file.
bool config_needed(const invocation& inv, const environment& env);

// The server base URL normalised as the daemon does (ws->http, wss->https, a
// path of exactly /ws dropped, query and fragment dropped, trailing '/'
// trimmed); the input unchanged when it is not an http(s)/ws(s) URL with a host.
std::string normalize_server_url(std::string_view raw);

struct client_settings {
  bool server_configured = false;  // false: "No server configured. Run 'multica setup' first."
  std::string server_url;          // base URL, trailing '/' trimmed (may be empty even when configured)
  std::string workspace_id;
  std::string token;
  std::string agent_id;  // X-Agent-ID
  std::string task_id;   // X-Task-ID
};

client_settings resolve_client(const invocation& inv, const environment& env, const cli_config& config);

}  // namespace multicad::proto::toolbox
