#include "config/loader.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include "config/keys.hpp"
#include "config/utf8.hpp"

namespace multicad::config {
namespace fs = std::filesystem;

std::string origin::describe() const {
  switch (kind) {
    case origin_kind::built_in: return "default";
    case origin_kind::multica_cli: return "Multica CLI " + where;
    case origin_kind::file: return "file " + where;
    case origin_kind::env: return "env " + where;
    case origin_kind::flag: return "flag " + where;
  }
  return where;
}

void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw std::runtime_error(e.to_string());
}

namespace {

std::string quoted(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

// Applies one textual value and records where it came from.
std::optional<error> apply(loaded_settings& out, const key_spec& key, std::string_view text, origin from,
                           const resolve_context& ctx) {
  if (auto why = key.assign(out.values, text, ctx)) {
    auto shown = key.secret ? std::string("(redacted)") : quoted(text);
    return error{from.where, std::string(key.name) + " = " + shown + ": " + *why};
  }
  out.origins[std::string(key.name)] = std::move(from);
  return std::nullopt;
}

// The TOML value of a leaf as the text its key's assign() takes; on a type
// mismatch `text` is empty and `why` says what was expected.
struct leaf_text {
  std::optional<std::string> text;
  std::string why;
};

// An array of strings joins with commas (the environment's form); items may
// not hold commas themselves, so the join is unambiguous.
leaf_text list_text(const toml::value& v) {
  if (v.is_string()) return {v.as_string().str, {}};
  if (!v.is_array()) return {std::nullopt, "expected an array of strings such as [\"node_modules\", \".next\"]"};
  std::string joined;
  for (const auto& item : v.as_array()) {
    if (!item.is_string() || item.as_string().str.find(',') != std::string::npos)
      return {std::nullopt, "expected an array of strings without commas"};
    joined += (joined.empty() ? "" : ",") + item.as_string().str;
  }
  if (!v.as_array().empty() && joined.empty()) return {std::nullopt, "expected non-empty strings"};
  return {joined, {}};
}

leaf_text toml_to_text(const key_spec& key, const toml::value& v) {
  switch (key.type) {
    case value_type::integer:
      if (v.is_integer()) return {std::to_string(v.as_integer()), {}};
      return {std::nullopt, "expected a whole number"};
    case value_type::boolean:
      if (v.is_boolean()) return {v.as_boolean() ? "true" : "false", {}};
      return {std::nullopt, "expected true or false (unquoted)"};
    case value_type::size:
      if (v.is_integer()) return {std::to_string(v.as_integer()), {}};
      if (v.is_string()) return {v.as_string().str, {}};
      return {std::nullopt, "expected a size such as \"20MB\" or a number of bytes"};
    case value_type::list: return list_text(v);
    default:
      if (v.is_string()) return {v.as_string().str, {}};
      return {std::nullopt, key.type == value_type::duration ? "expected a quoted duration such as \"30s\""
                                                              : "expected a quoted string"};
  }
}

bool is_section(std::string_view dotted) {
  for (const auto& k : all_keys())
    if (k.name.size() > dotted.size() && k.name.starts_with(dotted) && k.name[dotted.size()] == '.') return true;
  return false;
}

std::string at(const fs::path& file, const toml::value& v) {
  return file.string() + ":" + std::to_string(v.location().line());
}

std::optional<error> apply_table(loaded_settings& out, const fs::path& file, const toml::value& table,
                                 const std::string& prefix, const resolve_context& ctx) {
  for (const auto& [k, v] : table.as_table()) {
    std::string dotted = prefix.empty() ? k : prefix + "." + k;
    if (const key_spec* key = find_key(dotted)) {
      auto leaf = toml_to_text(*key, v);
      if (!leaf.text) return error{at(file, v), dotted + ": " + leaf.why};
      if (auto e = apply(out, *key, *leaf.text, {origin_kind::file, at(file, v)}, ctx)) return e;
    } else if (v.is_table() && is_section(dotted)) {
      if (auto e = apply_table(out, file, v, dotted, ctx)) return e;
    } else {
      std::string msg = "unknown setting \"" + dotted + "\"";
      if (auto s = suggest_key(dotted); !s.empty()) msg += "; did you mean \"" + std::string(s) + "\"?";
      else msg += "; see docs/configuration.md for every key";
      return error{at(file, v), msg};
    }
  }
  return std::nullopt;
}

// toml11's message starts "[error] toml::parse_xxx: "; keep the reason only.
std::string parse_reason(const std::string& what) {
  auto line = what.substr(0, what.find('\n'));
  if (line.starts_with("[error] ")) line.erase(0, 8);
  if (line.starts_with("toml::")) {
    if (auto colon = line.find(": "); colon != std::string::npos) line.erase(0, colon + 2);
  }
  return line;
}

std::optional<error> apply_file(loaded_settings& out, const fs::path& file, const fs::path& home) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return error{file.string(), "cannot read the config file"};
  std::string text((std::istreambuf_iterator<char>(in)), {});
  if (auto bad = first_invalid_utf8(text))
    return error{file.string() + ":" + std::to_string(bad->line) + ":" + std::to_string(bad->column),
                 "invalid TOML: the file is not valid UTF-8 here"};
  toml::value root;
  try {
    std::istringstream stream(text);
    root = toml::parse(stream, file.string());
  } catch (const toml::syntax_error& e) {
    auto loc = e.location();
    return error{file.string() + ":" + std::to_string(loc.line()) + ":" + std::to_string(loc.column()),
                 "invalid TOML: " + parse_reason(e.what())};
  } catch (const std::exception& e) {
    return error{file.string(), std::string("cannot read the config file: ") + e.what()};
  }
  resolve_context ctx{home, fs::absolute(file).parent_path()};
  return apply_table(out, file, root, "", ctx);
}

void add_warnings(loaded_settings& out) {
  const auto& s = out.values;
  if (s.heartbeat_interval >= 45s)
    out.warnings.push_back("heartbeat_interval " + format_duration(s.heartbeat_interval) +
                           " is not under the server's 45s offline threshold; runtimes will flap offline. Use 15s.");
  if (!s.token.empty() && !s.token_file.empty())
    out.warnings.push_back("both token and token_file are set; token wins. Remove one.");
}

// systemd's StateDirectory= sets STATE_DIRECTORY; otherwise the XDG base
// directory spec's state home.
fs::path default_state_dir(const load_inputs& in) {
  if (auto sd = in.getenv("STATE_DIRECTORY"); sd && !sd->empty()) return fs::path(sd->substr(0, sd->find(':')));
  if (auto xdg = in.getenv("XDG_STATE_HOME"); xdg && !xdg->empty()) return fs::path(*xdg) / "multicad";
  return in.home / ".local" / "state" / "multicad";
}

// Profile names as the newer Multica CLI accepts them: one plain path component.
bool valid_profile(const std::string& p) {
  return p != "." && p != ".." && p.find_first_of("/\\") == std::string::npos && p.find('\0') == std::string::npos;
}

bool unset(const loaded_settings& out, const char* key) { return out.origins.at(key).kind == origin_kind::built_in; }

// The reference daemon's defaults for a named profile, so `multica daemon
// status --profile p` finds this daemon and two profiles never share folders.
void profile_defaults(loaded_settings& out, const load_inputs& in) {
  const auto& p = out.values.profile;
  if (p.empty()) return;
  int sum = 0;
  for (unsigned char c : p) sum += c;
  if (unset(out, "health_port")) out.values.health_port = 19515 + sum % 1000;
  if (unset(out, "workspaces_root")) out.values.workspaces_root = in.home / ("multica_workspaces_" + p);
  if (unset(out, "state_dir")) out.values.state_dir = default_state_dir(in) / "profiles" / p;
}

// The Multica CLI's keys multicad follows, as the newer daemon reads them
// (its `token` is read by daemon/auth/token.hpp, after MULTICA_TOKEN).
const std::pair<const char*, const char*> multica_cli_keys[] = {
    {"server_url", "server_url"},         {"workspaces_root", "workspaces_root"},
    {"device_name", "device_name"},       {"runtime_name", "runtime_name"},
    {"max_concurrent_tasks", "max_concurrent_tasks"}, {"poll_interval", "poll_interval"},
    {"heartbeat_interval", "heartbeat_interval"},     {"agent_timeout", "agent_timeout"},
};

std::optional<error> apply_profile(loaded_settings& out, const load_inputs& in) {
  const auto& p = out.values.profile;
  if (!valid_profile(p))
    return error{out.origins.at("profile").where, "profile = \"" + p + "\": a profile name is one plain folder name"};
  profile_defaults(out, in);
  auto file = p.empty() ? in.home / ".multica" / "config.json" : in.home / ".multica" / "profiles" / p / "config.json";
  std::ifstream stream(file, std::ios::binary);
  if (!stream) return std::nullopt;  // no Multica CLI here, or not logged in
  std::string text((std::istreambuf_iterator<char>(stream)), {});
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    out.warnings.push_back(file.string() + " (the Multica CLI's config) is not a JSON object; its settings are ignored");
    return std::nullopt;
  }
  const resolve_context ctx{in.home, in.home};
  for (const auto& [json_key, key_name] : multica_cli_keys) {
    auto it = j.find(json_key);
    if (it == j.end() || !unset(out, key_name)) continue;
    std::string value = it->is_string() ? it->get<std::string>() : it->is_number_integer() ? std::to_string(it->get<long long>()) : "";
    if (value.empty()) continue;
    if (auto e = apply(out, *find_key(key_name), value, {origin_kind::multica_cli, file.string()}, ctx)) return e;
  }
  return std::nullopt;
}

}  // namespace

std::optional<fs::path> find_config_file(const load_inputs& in) {
  std::error_code ec;
  fs::path user_dir;
  if (auto xdg = in.getenv("XDG_CONFIG_HOME"); xdg && !xdg->empty()) user_dir = *xdg;
  else user_dir = in.home / ".config";
  for (const auto& candidate : {user_dir / "multicad" / "config.toml", in.system_config_dir / "config.toml"})
    if (fs::is_regular_file(candidate, ec)) return candidate;
  return std::nullopt;
}

boost::system::result<loaded_settings, error> load(const load_inputs& in) {
  loaded_settings out;
  const std::string host = in.hostname.empty() ? "local-machine" : in.hostname;
  out.values.daemon_id = host;
  out.values.device_name = host;
  out.values.workspaces_root = in.home / "multica_workspaces";
  out.values.state_dir = default_state_dir(in);
  for (const auto& k : all_keys()) out.origins[std::string(k.name)] = origin{};

  if (in.config_file) {
    std::error_code ec;
    if (!fs::is_regular_file(*in.config_file, ec))
      return error{"--config", "config file " + in.config_file->string() + " does not exist or is not a file"};
    out.file = *in.config_file;
  } else {
    out.file = find_config_file(in);
  }
  if (out.file)
    if (auto e = apply_file(out, *out.file, in.home)) return *e;

  const resolve_context here{in.home, in.cwd};
  for (const auto& k : all_keys()) {
    if (k.env.empty()) continue;
    auto v = in.getenv(std::string(k.env));
    if (!v || v->empty()) continue;  // an empty variable counts as unset, as in the Go daemon
    if (auto e = apply(out, k, *v, {origin_kind::env, std::string(k.env)}, here)) return *e;
  }
  for (const auto& f : in.flags) {
    const key_spec* key = nullptr;
    for (const auto& k : all_keys())
      if (k.flag == f.name) key = &k;
    if (!key) return error{"--" + f.name, "not a settings flag"};
    if (auto e = apply(out, *key, f.value, {origin_kind::flag, "--" + f.name}, here)) return *e;
  }
  if (auto e = apply_profile(out, in)) return *e;
  add_warnings(out);
  return out;
}

load_inputs process_inputs() {
  load_inputs in;
  in.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) in.hostname = host;
  if (const char* h = std::getenv("HOME"); h && *h) in.home = h;
  else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) in.home = pw->pw_dir;
  std::error_code ec;
  in.cwd = fs::current_path(ec);
  return in;
}

}  // namespace multicad::config
