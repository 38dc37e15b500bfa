// The table of every setting: its TOML key, environment variable, flag, help
// text and how a textual value is validated and stored. The loader, the CLI
// (which registers one flag per row) and `config show` all read this one
// table, so a new setting is one row. Immutable; any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace multicad::config {

// `list`: comma-separated text from the environment and flags; a TOML array
// of strings (or one such string) in the file.
enum class value_type { text, path, duration, integer, boolean, choice, url, size, list };

// What a relative path or "~" in a value is resolved against.
struct resolve_context {
  std::filesystem::path home;
  std::filesystem::path base_dir;  // the config file's folder, or the working directory
};

struct key_spec {
  std::string_view name;  // dotted TOML key, e.g. "gc.ttl"
  std::string_view env;   // environment variable, or empty
  std::string_view flag;  // long flag without dashes, or empty
  std::string_view help;
  value_type type;
  bool secret = false;
  // Validates `text` and stores it; on failure returns why, naming the
  // expected form (the caller adds the source and the bad value).
  std::function<std::optional<std::string>(settings&, std::string_view text, const resolve_context&)> assign;
  // The current value as `config show` prints it (unquoted).
  std::function<std::string(const settings&)> render;
};

// All settings in documentation order.
std::span<const key_spec> all_keys();

// The row for a dotted TOML key, or nullptr.
const key_spec* find_key(std::string_view name);

// A byte size: a whole number with an optional unit B, KB, MB, GB, TB (powers
// of 1024; KiB, MiB, GiB, TiB accepted too). nullopt when malformed or too big.
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_size(std::uint64_t bytes);

// The closest key name to a misspelt one (edit distance <= 3), or empty.
std::string_view suggest_key(std::string_view name);

}  // namespace multicad::config
