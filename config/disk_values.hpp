// The value types of the disk settings (gc.min_free, gc.artifact_patterns):
// a free-space floor given in bytes or as a percentage of the file system,
// and the list of regenerable folder kinds artifact clean-up may remove.
// Parsing returns why a text is wrong, naming the expected form (the loader
// adds the source). Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace multicad::config {

// gc.min_free: `bytes` when `percent` is 0, else that share of the file system.
struct space_floor {
  std::uint64_t bytes = 0;
  double percent = 0;  // 0 < percent < 100 when used
  // The floor in bytes on a file system of `filesystem_bytes`.
  std::uint64_t of(std::uint64_t filesystem_bytes) const;
  bool operator==(const space_floor&) const = default;
};

// One kind of regenerable folder: every directory called `name` (not a
// symlink), and, when `marker` is set, only where that path exists relative
// to the folder holding it ("target when Cargo.toml": a Cargo build folder,
// not a source folder that happens to be called target).
struct artifact_pattern {
  std::string name;
  std::string marker;  // relative path, e.g. "Cargo.toml" or ".venv/pyvenv.cfg"; empty: always
  bool operator==(const artifact_pattern&) const = default;
};

// The built-in list (docs/operations.md says why each is safe to remove).
std::vector<artifact_pattern> default_artifact_patterns();

// "10GB", "1073741824", "0" (no floor) or "5%", "12.5%".
std::variant<space_floor, std::string> parse_space_floor(std::string_view text);
std::string format_space_floor(const space_floor& f);

// Comma-separated items, each "NAME" or "NAME when MARKER". A name is one
// path component other than ".git", "output" and "logs" (never artifacts);
// a marker is a relative path without "..". Empty items are errors.
std::variant<std::vector<artifact_pattern>, std::string> parse_artifact_patterns(std::string_view text);
std::string format_artifact_patterns(const std::vector<artifact_pattern>& patterns);

// For people: "812 B", "1.5 KiB", "23.4 GiB" (powers of 1024, one decimal).
std::string human_size(std::uint64_t bytes);

}  // namespace multicad::config
