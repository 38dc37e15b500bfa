// `multicad config show [--json]`: every effective setting and where it came
// from, secrets redacted.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/keys.hpp"
#include "daemon/cli/cli_context.hpp"

namespace multicad::cli {
namespace {

std::string shown_value(const config::key_spec& k, const config::settings& s) {
  auto v = k.render(s);
  if (k.secret) return v.empty() ? "" : "(set, redacted)";
  return v;
}

std::string toml_string(std::string_view v) {
  std::string out = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c < 0x20) { char buf[8]; std::snprintf(buf, sizeof buf, "\\u%04x", c); out += buf; }
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string_view type_name(config::value_type t) {
  switch (t) {
    case config::value_type::text: return "text";
    case config::value_type::path: return "path";
    case config::value_type::duration: return "duration";
    case config::value_type::integer: return "integer";
    case config::value_type::boolean: return "boolean";
    case config::value_type::choice: return "choice";
    case config::value_type::url: return "url";
    case config::value_type::size: return "size";
    case config::value_type::list: return "list";
  }
  return "text";
}

// The value as the TOML file holds it: integers and booleans bare, the rest
// (durations "1h30m0s", sizes "20MB", paths, names) as strings, so a value can
// be copied back into the file. `type` says which.
nlohmann::json typed_value(const config::key_spec& k, const config::settings& s) {
  auto v = shown_value(k, s);
  if (k.secret) return v;
  if (k.type == config::value_type::integer) return std::stoll(v);
  if (k.type == config::value_type::boolean) return v == "true";
  return v;
}

int show(const config::loaded_settings& loaded, bool json) {
  if (json) {
    nlohmann::json out{{"config_file", loaded.file ? nlohmann::json(loaded.file->string()) : nlohmann::json()},
                       {"settings", nlohmann::json::object()}};
    for (const auto& k : config::all_keys()) {
      out["settings"][std::string(k.name)] = {{"value", typed_value(k, loaded.values)},
                                              {"type", type_name(k.type)},
                                              {"source", loaded.origins.at(std::string(k.name)).describe()}};
    }
    out["warnings"] = loaded.warnings;
    std::cout << out.dump(2) << "\n";
    return exit_status::ok;
  }
  std::cout << "# config file: " << (loaded.file ? loaded.file->string() : "(none found; defaults and environment)") << "\n";
  std::size_t width = 0;
  for (const auto& k : config::all_keys()) width = std::max(width, k.name.size());
  // Valid TOML, so the output can seed a config file; secrets stay comments.
  for (const auto& k : config::all_keys()) {
    auto value = shown_value(k, loaded.values);
    bool bare = k.type == config::value_type::integer || k.type == config::value_type::boolean;
    std::string comment = loaded.origins.at(std::string(k.name)).describe();
    if (k.name == "server_url" && value.empty()) comment += "; empty: embedded local mode";
    std::cout << (k.secret ? "# " : "") << std::string(k.name) << std::string(width - k.name.size() + 1, ' ') << "= "
              << (bare || k.secret ? value : toml_string(value)) << "  # " << comment << "\n";
  }
  for (const auto& w : loaded.warnings) std::cout << "# warning: " << w << "\n";
  return exit_status::ok;
}

}  // namespace

void add_config_command(CLI::App& app, cli_context& ctx) {
  auto* config_cmd = app.add_subcommand("config", "inspect the effective configuration");
  config_cmd->require_subcommand(1);
  auto* show_cmd = config_cmd->add_subcommand("show", "print every setting with its value and source");
  auto json = std::make_shared<bool>(false);
  show_cmd->add_flag("--json", *json, "print JSON");
  show_cmd->callback([&ctx, json] {
    auto loaded = ctx.load_settings();
    ctx.status = loaded ? show(*loaded, *json) : exit_status::bad_usage;
  });
}

}  // namespace multicad::cli
