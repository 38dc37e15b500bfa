#include "daemon/cli/cli_context.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "config/keys.hpp"

namespace multicad::cli {

void cli_context::attach(CLI::App& app) {
  app.add_option("--config", config_file_, "read settings from this TOML file instead of the usual places")
      ->type_name("FILE");
  const auto keys = config::all_keys();
  values_.resize(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& k = keys[i];
    if (k.flag.empty()) continue;
    std::string help(k.help);
    if (!k.env.empty()) help += " [env " + std::string(k.env) + "]";
    auto* opt = app.add_option("--" + std::string(k.flag), values_[i], help)->group("Settings (override file and env)");
    switch (k.type) {
      case config::value_type::duration: opt->type_name("DURATION"); break;
      case config::value_type::integer: opt->type_name("N"); break;
      case config::value_type::boolean: opt->type_name("BOOL"); break;
      case config::value_type::path: opt->type_name("PATH"); break;
      case config::value_type::url: opt->type_name("URL"); break;
      default: opt->type_name("TEXT");
    }
    options_.push_back(opt);
  }
  app.fallthrough();
}

boost::system::result<config::loaded_settings, config::error> cli_context::try_load_settings() const {
  auto in = config::process_inputs();
  if (!config_file_.empty()) in.config_file = std::filesystem::path(config_file_);
  const auto keys = config::all_keys();
  for (std::size_t i = 0, o = 0; i < keys.size(); ++i) {
    if (keys[i].flag.empty()) continue;
    if (options_[o++]->count() > 0) in.flags.push_back({std::string(keys[i].flag), values_[i]});
  }
  return config::load(in);
}

std::optional<config::loaded_settings> cli_context::load_settings() const {
  auto loaded = try_load_settings();
  if (!loaded) {
    std::cerr << "multicad: invalid configuration: " << loaded.error().to_string() << "\n";
    return std::nullopt;
  }
  return std::move(*loaded);
}

}  // namespace multicad::cli
