// Files the daemon owns are replaced atomically: written to a temporary file
// in the same folder, flushed, then renamed over the target, so a reader (or
// a crash) sees the old bytes or the new ones, never a mix. Any thread; two
// writers of one path race benignly (last rename wins).
#pragma once

#include <filesystem>
#include <string_view>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

// Requires: the parent folder exists. `mode` is applied to the new file.
result<void> write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                                   std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                                 std::filesystem::perms::owner_write);

// The whole file, or an error naming it.
result<std::string> read_file(const std::filesystem::path& path);

}  // namespace multicad::execenv
