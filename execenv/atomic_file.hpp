// Files the daemon owns are replaced atomically: written to a temporary file
// in the same folder, flushed, then renamed over the target, so a reader (or
// a crash) sees the old bytes or the new ones, never a mix. Any thread; two
// writers of one path race benignly (last rename wins).
#pragma once

#include <filesystem>
#include <string_view>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

// Whether the bytes must survive a power loss. A daemon crash never shows a
// half-written file either way (the rename is atomic); only the fsync differs.
enum class durability {
  flushed,      // fsync before the rename: configuration, the user's saved files
  regenerated,  // no fsync: per-task files rebuilt by every prepare (each fsync costs ~0.3-8 ms)
};

inline constexpr auto owner_read_write = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

// Requires: the parent folder exists. `mode` is applied to the new file.
result<void> write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                                   std::filesystem::perms mode = owner_read_write,
                                   durability d = durability::flushed);

// The whole file, or an error naming it.
result<std::string> read_file(const std::filesystem::path& path);

}  // namespace multicad::execenv
